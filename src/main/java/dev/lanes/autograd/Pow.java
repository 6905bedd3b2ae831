package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code x^p} for a constant exponent, as {@link Math#pow} (rounded to float for F32); backward
 * {@code dx = dy * p * x^(p - 1)}, and 0 when {@code p == 0}, as PyTorch defines it.
 */
final class Pow extends GradFn {

    private final double p;

    private Pow(Tensor x, double p) {
        super("pow", "PowBackward0", x);
        this.p = p;
    }

    static Tensor apply(Tensor x, double p) {
        Tensor y = StepArena.zeros(x.dtype(), x.shape());
        for (int i = 0; i < x.numel(); i++) {
            y.setFlat(i, Math.pow(x.getFlat(i), p));
        }
        return Tape.output("pow", y, () -> new Pow(x, p), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = input(0);
        Tensor dx = StepArena.zeros(g.dtype(), g.shape());
        if (p != 0) {
            for (int i = 0; i < g.numel(); i++) {
                dx.setFlat(i, g.getFlat(i) * (p * Math.pow(x.getFlat(i), p - 1)));
            }
        }
        return new Tensor[] {dx};
    }
}
