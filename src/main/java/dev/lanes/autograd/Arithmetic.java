package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.EpilogueOp;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.Elementwise;
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
final class Arithmetic extends GradFn implements EpilogueOp {

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

    /** Operands shaped like the output stream past it; a smaller fixed operand repeats in tiles. */
    private static final int TILE = 1024;

    /**
     * Same-shaped operands as one elementwise pass. A fixed operand (parameter, buffer, constant)
     * that broadcasts is laid out at capture: a trailing block that repeats (a bias, a scalar)
     * becomes a tile of whole repeats that the step walks the output with, any other pattern is
     * expanded to the output's shape. Broadcasting a computed operand is refused.
     */
    @Override
    public void lower(Lowering l) {
        Shape shape = Shape.broadcast(name(), input(0).shape(), input(1).shape());
        int n = shape.numel();
        Slot a = operand(l, input(0), shape, false);
        // The step walks the output by one operand's tile, so at most one operand may repeat.
        Slot b = operand(l, input(1), shape, a.size() != n);
        Slot y = l.out();
        boolean aStreams = a.size() == n;
        boolean bStreams = b.size() == n;
        int tile = aStreams ? b.size() : a.size();
        if (tile == 0) {
            return;
        }
        l.step(mem -> {
            int yOff = y.at();
            for (int s = 0; s < n; s += tile) {
                int len = Math.min(tile, n - s);
                Elementwise.binary(op, mem, aStreams ? a.at() + s : a.at(), mem, bStreams ? b.at() + s : b.at(), mem,
                        yOff + s, len);
            }
        });
    }

    /** Fuses into the operation producing one operand when the other has the same shape. */
    @Override
    public boolean fusesAfter(Tensor through) {
        Tensor a = input(0);
        Tensor b = input(1);
        return (through == a) != (through == b) && a.shape().equals(b.shape());
    }

    @Override
    public Epilogue epilogue(Lowering l, Tensor through) {
        boolean first = through == input(0);
        Slot other = l.in(input(first ? 1 : 0));
        return first
                ? (mem, from, to, index, n) -> Elementwise.binary(op, mem, from, mem, other.at() + index, mem, to, n)
                : (mem, from, to, index, n) -> Elementwise.binary(op, mem, other.at() + index, mem, from, mem, to, n);
    }

    /** @return the operand as the step reads it: streaming (the output's size) or a tile that repeats */
    private static Slot operand(Lowering l, Tensor t, Shape shape, boolean stream) {
        if (t.shape().equals(shape)) {
            return l.in(t);
        }
        if (!l.isConstant(t)) {
            throw l.refuse("broadcasts a computed " + t.shape() + " operand to " + shape
                    + "; plans broadcast parameters, buffers and constants only");
        }
        float[] v = l.constant(t);
        int n = shape.numel();
        if (stream || !repeatsAsTrailingBlock(t.shape(), shape) || v.length == 0) {
            float[] full = DataMovement.expand(Tensor.of(v, t.dims()), shape).toFloatArray();
            return l.fixed(full, shape.dims());
        }
        int repeats = Math.max(1, Math.min(n / v.length, (TILE + v.length - 1) / v.length));
        float[] tile = new float[repeats * v.length];
        for (int r = 0; r < repeats; r++) {
            System.arraycopy(v, 0, tile, r * v.length, v.length);
        }
        return l.fixed(tile, tile.length);
    }

    /** Whether {@code small}, without its leading 1s, is the trailing dimensions of {@code shape}. */
    private static boolean repeatsAsTrailingBlock(Shape small, Shape shape) {
        int lead = 0;
        while (lead < small.rank() && small.size(lead) == 1) {
            lead++;
        }
        int kept = small.rank() - lead;
        if (kept > shape.rank()) {
            return false;
        }
        for (int i = 0; i < kept; i++) {
            if (small.size(lead + i) != shape.size(shape.rank() - kept + i)) {
                return false;
            }
        }
        return true;
    }
}
