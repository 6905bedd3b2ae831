package dev.lanes.autograd;

import dev.lanes.kernel.internal.Binary;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.DataMovement;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code a + b}, {@code a - b}, {@code a * b} (Hadamard) and {@code a / b} with NumPy
 * broadcasting. Backward: the output gradient, scaled by the partial derivative, summed over the
 * dimensions each operand was stretched along.
 */
final class Arithmetic extends GradFn {

    private final Binary op;
    private Tensor out;

    private Arithmetic(Binary op, Tensor a, Tensor b, Tensor out) {
        super(op.opName(), torchName(op), a, b);
        this.op = op;
        this.out = out;
    }

    private static String torchName(Binary op) {
        return switch (op) {
            case ADD -> "AddBackward0";
            case SUB -> "SubBackward0";
            case MUL -> "MulBackward0";
            case DIV -> "DivBackward0";
        };
    }

    static Tensor apply(Binary op, Tensor a, Tensor b) {
        String name = op.opName();
        Dispatch.sameDType(name, a, b);
        Shape shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = StepArena.empty(a.dtype(), shape);
        Dispatch.binary(op, DataMovement.expand(a, shape), DataMovement.expand(b, shape), out);
        return Tape.output(name, out, () -> new Arithmetic(op, a, b, out), a, b);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor a = input(0);
        Tensor b = input(1);
        Shape shape = g.shape();
        Tensor ga = null;
        Tensor gb = null;
        switch (op) {
            case ADD -> {
                ga = needsGrad(0) ? DataMovement.sumTo(g, a.shape()) : null;
                gb = needsGrad(1) ? DataMovement.sumTo(g, b.shape()) : null;
            }
            case SUB -> {
                ga = needsGrad(0) ? DataMovement.sumTo(g, a.shape()) : null;
                gb = needsGrad(1) ? Dispatch.scaled(-1, DataMovement.sumTo(g, b.shape())) : null;
            }
            case MUL -> {
                ga = needsGrad(0) ? DataMovement.sumTo(Dispatch.binary(Binary.MUL, g, DataMovement.expand(b, shape)), a.shape())
                        : null;
                gb = needsGrad(1) ? DataMovement.sumTo(Dispatch.binary(Binary.MUL, g, DataMovement.expand(a, shape)), b.shape())
                        : null;
            }
            case DIV -> {
                Tensor bx = DataMovement.expand(b, shape);
                ga = needsGrad(0) ? DataMovement.sumTo(Dispatch.binary(Binary.DIV, g, bx), a.shape()) : null;
                if (needsGrad(1)) {
                    // d(a/b)/db = -(a/b)/b = -out/b
                    Tensor t = Dispatch.binary(Binary.DIV, Dispatch.binary(Binary.MUL, g, out), bx);
                    gb = DataMovement.sumTo(Dispatch.scaled(-1, t), b.shape());
                }
            }
        }
        return new Tensor[] {ga, gb};
    }

    @Override
    protected void release() {
        super.release();
        out = null;
    }
}
