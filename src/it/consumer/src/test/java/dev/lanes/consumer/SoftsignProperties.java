package dev.lanes.consumer;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;
import dev.lanes.testkit.Inputs;
import dev.lanes.testkit.OpChecks;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A user's own operation, checked with Lanes' test kit as Lanes checks its own. */
class SoftsignProperties {

    /** softsign(x) = x / (1 + sqrt(x^2)), built from Lanes' operations. */
    static Tensor softsign(Tensor x) {
        return Ops.div(x, Ops.add(Ops.pow(Ops.add(Ops.mul(x, x), 1e-12), 0.5), 1.0));
    }

    @Property(tries = 30)
    void softsignPassesEveryCheck(@ForAll("inputs") Tensor x) {
        OpChecks.assertAll(in -> softsign(in[0]), x);
    }

    @Provide
    Arbitrary<Tensor> inputs() {
        return Inputs.ofRank(1, 2, 48);
    }
}
