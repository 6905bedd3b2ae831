package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/** The natural logarithm; backward {@code dx = dy / x}. */
final class Log extends GradFn implements Lowerable {

    private Log(Tensor x) {
        super("log", "LogBackward0", x);
    }

    static Tensor apply(Tensor x) {
        Tensor y = StepArena.zeros(x.dtype(), x.shape());
        Dispatch.log(x, y);
        return Tape.output("log", y, () -> new Log(x), x);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {Dispatch.binary(Binary.DIV, g, input(0))};
    }

    @Override
    public void lower(Lowering l) {
        Slot x = l.in(input(0));
        Slot y = l.out();
        int n = x.size();
        l.step(mem -> Elementwise.log(mem, x.at(), mem, y.at(), n));
    }
}
