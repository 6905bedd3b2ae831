package dev.lanes.autograd;

import dev.lanes.kernel.internal.Binary;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code torch.nn.functional.dropout} in training mode: each element is zeroed with probability
 * {@code p}, the others scaled by {@code 1 / (1 - p)} so the expectation is unchanged; with
 * {@code p = 1} everything is zero. The mask comes from the given generator, one draw per element
 * in row-major order. Backward multiplies by the same mask.
 */
final class DropoutNode extends GradFn {

    private Tensor mask;

    private DropoutNode(Tensor x, Tensor mask) {
        super("dropout", "MulBackward0", x);
        this.mask = mask;
    }

    static Tensor apply(Tensor x, double p, Generator gen) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: probability has to be between 0 and 1, but got " + p);
        }
        if (gen == null) {
            throw new NullPointerException("dropout: generator is null");
        }
        Tensor mask = StepArena.zeros(x.dtype(), x.shape());
        double keep = p < 1 ? 1 / (1 - p) : 0;
        for (int i = 0; i < mask.numel(); i++) {
            mask.setFlat(i, gen.nextDouble() < p ? 0 : keep);
        }
        Tensor y = Dispatch.binary(Binary.MUL, x, mask);
        return Tape.output("dropout", y, () -> new DropoutNode(x, mask), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {Dispatch.binary(Binary.MUL, g, mask)};
    }

    @Override
    protected void release() {
        super.release();
        mask = null;
    }
}
