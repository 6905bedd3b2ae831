package dev.lanes.testkit.example;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;
import dev.lanes.testkit.Inputs;
import dev.lanes.testkit.OpChecks;
import dev.lanes.testkit.Sizes;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * How a user checks an operation of their own with the test kit (the README shows this file):
 * the same four properties Lanes runs on its own operations.
 */
class CustomOpProperties {

    /** The operation under test: SiLU, {@code x * sigmoid(x)}, built from Lanes' operations. */
    static Tensor silu(Tensor x) {
        return Ops.mul(x, Ops.sigmoid(x));
    }

    /** A second one that goes through a GEMM: {@code tanh(x @ w)}. */
    static Tensor tanhProjection(Tensor x, Tensor w) {
        return Ops.tanh(Ops.matmul(x, w));
    }

    @Property(tries = 50)
    void siluPassesEveryCheck(@ForAll("small") Tensor x) {
        OpChecks.assertAll(in -> silu(in[0]), x);
    }

    @Provide
    Arbitrary<Tensor> small() {
        return Inputs.ofRank(1, 3, 64);
    }

    @Property(tries = 30)
    void projectionPassesEveryCheck(@ForAll("projection") Tensor[] xw) {
        OpChecks.assertGradients(in -> tanhProjection(in[0], in[1]), xw);
        OpChecks.assertF32MatchesF64(in -> tanhProjection(in[0], in[1]), xw);
        // A GEMM sums in another order on each provider: agreement within float accuracy.
        OpChecks.assertProvidersAgree(in -> tanhProjection(in[0], in[1]), 1e-5, xw);
        OpChecks.assertThreadCountInvariant(in -> tanhProjection(in[0], in[1]), xw);
    }

    @Provide
    Arbitrary<Tensor[]> projection() {
        return Combinators.combine(Sizes.size(9), Sizes.size(9), Sizes.size(9))
                .flatAs((m, k, n) -> Combinators.combine(Inputs.uniform(m, k), Inputs.uniform(k, n))
                        .as((x, w) -> new Tensor[] {x, w}));
    }
}
