package dev.lanes.autograd;

import static dev.lanes.autograd.Ops.add;
import static dev.lanes.autograd.Ops.div;
import static dev.lanes.autograd.Ops.exp;
import static dev.lanes.autograd.Ops.log;
import static dev.lanes.autograd.Ops.mean;
import static dev.lanes.autograd.Ops.mul;
import static dev.lanes.autograd.Ops.neg;
import static dev.lanes.autograd.Ops.pow;
import static dev.lanes.autograd.Ops.sub;
import static dev.lanes.autograd.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.tensor.Tensor;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Fused operations against the same function composed from primitives, in F64: equal values
 * and gradients (to rounding).
 */
class CompositeProperties {

    interface Fn {
        Tensor apply(Tensor x, Tensor y);
    }

    static void assertSame(String name, Fn fused, Fn composite, Tensor x, Tensor y) {
        Tensor x1 = x.copy().requiresGrad(true);
        Tensor y1 = y.copy().requiresGrad(true);
        Tensor x2 = x.copy().requiresGrad(true);
        Tensor y2 = y.copy().requiresGrad(true);
        Tensor a = fused.apply(x1, y1);
        Tensor b = composite.apply(x2, y2);
        double[] av = a.toDoubleArray();
        double[] bv = b.toDoubleArray();
        for (int i = 0; i < av.length; i++) {
            assertEquals(bv[i], av[i], 1e-13 * (1 + Math.abs(bv[i])), name + " value " + i);
        }
        sum(mul(a, y.copy())).backward();
        sum(mul(b, y.copy())).backward();
        double[] ga = x1.grad().toDoubleArray();
        double[] gb = x2.grad().toDoubleArray();
        for (int i = 0; i < ga.length; i++) {
            assertEquals(gb[i], ga[i], 1e-12 * (1 + Math.abs(gb[i])), name + " gradient " + i);
        }
    }

    @Property(tries = 60)
    void fusedOpsEqualTheirComposites(@ForAll long seed) {
        Random r = new Random(seed);
        int rows = OpCases.size(r);
        int cols = OpCases.size(r);
        Tensor x = OpCases.values(r, new int[] {rows, cols}, 0, 4, true).detach();
        Tensor y = OpCases.values(r, new int[] {rows, cols}, 0, 1, true).detach();
        assertSame("sigmoid", (a, b) -> Ops.sigmoid(a), (a, b) -> div(Tensor.scalar(a.dtype(), 1),
                add(exp(neg(a)), 1.0)), x, y);
        assertSame("tanh", (a, b) -> Ops.tanh(a), (a, b) -> {
            Tensor e = exp(mul(a, 2.0));
            return div(sub(e, Tensor.scalar(a.dtype(), 1)), add(e, 1.0));
        }, x, y);
        assertSame("softmax", (a, b) -> Ops.softmax(a, 1), (a, b) -> div(exp(a), sum(exp(a), true, 1)), x, y);
        assertSame("logSoftmax", (a, b) -> Ops.logSoftmax(a, 1), (a, b) -> sub(a, log(sum(exp(a), true, 1))), x, y);
        assertSame("mse", (a, b) -> Losses.mse(a, b), (a, b) -> mean(pow(sub(a, b), 2)), x, y);
        assertSame("mean", (a, b) -> mean(a, false, 0), (a, b) -> div(sum(a, false, 0),
                Tensor.scalar(a.dtype(), rows)), x, y);
    }
}
