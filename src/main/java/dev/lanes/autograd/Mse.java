package dev.lanes.autograd;

import dev.lanes.kernel.internal.Binary;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;

/**
 * {@code torch.nn.functional.mse_loss} with the mean reduction: {@code mean((x - t)^2)} over
 * same-shaped tensors. Backward: {@code 2 (x - t) g / N} for x, its negative for t.
 */
final class Mse extends GradFn {

    private Tensor diff;

    private Mse(Tensor x, Tensor t, Tensor diff) {
        super("mse", "MseLossBackward0", x, t);
        this.diff = diff;
    }

    static Tensor apply(Tensor x, Tensor target) {
        Dispatch.sameDType("mse", x, target);
        if (!x.shape().equals(target.shape())) {
            throw new IllegalArgumentException("mse: input shape " + x.shape() + " and target shape "
                    + target.shape() + " differ");
        }
        Tensor diff = Dispatch.binary(Binary.SUB, x, target);
        Tensor sq = Dispatch.binary(Binary.MUL, diff, diff);
        Tensor loss = Tensor.scalar(x.dtype(), Dispatch.sum(sq, 0, sq.numel()) / x.numel());
        return Tape.output("mse", loss, () -> new Mse(x, target, diff), x, target);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        double scale = 2 * g.item() / diff.numel();
        Tensor gx = Dispatch.scaled(scale, diff);
        return new Tensor[] {needsGrad(0) ? gx : null, needsGrad(1) ? Dispatch.scaled(-1, gx) : null};
    }

    @Override
    protected void release() {
        super.release();
        diff = null;
    }
}
