package dev.lanes.autograd;

import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.DataMovement;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;
import java.util.Arrays;

/**
 * {@code torch.matmul} on {@link dev.lanes.kernel.Blas}: 2-D matrix products, 1-D operands
 * promoted to a row (left) or a column (right) and the added dimension dropped again, and
 * batched products over leading dimensions that broadcast. Backward: {@code dA = G B^T},
 * {@code dB = A^T G} per batch, summed over broadcast batch dimensions.
 */
final class MatMul extends GradFn {

    private final boolean aVector;
    private final boolean bVector;

    private MatMul(Tensor a, Tensor b, boolean aVector, boolean bVector, String torchName) {
        super("matmul", torchName, a, b);
        this.aVector = aVector;
        this.bVector = bVector;
    }

    static Tensor apply(Tensor a, Tensor b) {
        Dispatch.sameDType("matmul", a, b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least one dimension, got shapes "
                    + a.shape() + " and " + b.shape());
        }
        boolean aVector = a.rank() == 1;
        boolean bVector = b.rank() == 1;
        Tensor a2 = aVector ? a.view(1, a.size(0)) : a;
        Tensor b2 = bVector ? b.view(b.size(0), 1) : b;
        if (a2.size(-1) != b2.size(-2)) {
            throw new IllegalArgumentException("matmul: shapes " + a.shape() + " and " + b.shape() + " do not align");
        }
        Tensor product = multiply(a2, b2, false, false);
        int[] dims = product.dims();
        if (aVector) {
            dims = remove(dims, dims.length - 2);
        }
        if (bVector) {
            dims = remove(dims, dims.length - 1);
        }
        Tensor out = product.view(dims);
        String torchName = aVector && bVector ? "DotBackward0" : bVector && a.rank() == 2 ? "MvBackward0"
                : a.rank() <= 2 && b.rank() <= 2 ? "MmBackward0" : "BmmBackward0";
        return Tape.output("matmul", out, () -> new MatMul(a, b, aVector, bVector, torchName), a, b);
    }

    private static int[] remove(int[] dims, int i) {
        int[] out = new int[dims.length - 1];
        System.arraycopy(dims, 0, out, 0, i);
        System.arraycopy(dims, i + 1, out, i, dims.length - i - 1);
        return out;
    }

    private static int[] batch(Tensor t) {
        return Arrays.copyOf(t.dims(), t.rank() - 2);
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = r;
        out[batch.length + 1] = c;
        return out;
    }

    /**
     * op(A) op(B) for operands of rank >= 2 (the last two dimensions are the matrices as stored;
     * op transposes them), batch dimensions broadcast.
     */
    static Tensor multiply(Tensor a, Tensor b, boolean transA, boolean transB) {
        int m = transA ? a.size(-1) : a.size(-2);
        int k = transA ? a.size(-2) : a.size(-1);
        int n = transB ? b.size(-2) : b.size(-1);
        Shape batch = Shape.broadcast("matmul", Shape.of(batch(a)), Shape.of(batch(b)));
        int count = batch.numel();
        Tensor out = StepArena.zeros(a.dtype(), concat(batch.dims(), m, n));
        if (count == 0 || m == 0 || n == 0) {
            return out;
        }
        if (b.rank() == 2 && !transA) {
            // All of A's batches against one B: a single product with count * m rows.
            Tensor ax = DataMovement.expand(a, Shape.of(concat(batch.dims(), a.size(-2), a.size(-1))));
            Dispatch.gemm(false, transB, count * m, n, k, 1, ax, 0, k, b, 0, b.size(-1), 0, out, 0, n);
            return out;
        }
        Tensor ax = DataMovement.expand(a, Shape.of(concat(batch.dims(), a.size(-2), a.size(-1))));
        Tensor bx = DataMovement.expand(b, Shape.of(concat(batch.dims(), b.size(-2), b.size(-1))));
        int aStep = a.size(-2) * a.size(-1);
        int bStep = b.size(-2) * b.size(-1);
        for (int i = 0; i < count; i++) {
            Dispatch.gemm(transA, transB, m, n, k, 1, ax, i * aStep, a.size(-1), bx, i * bStep, b.size(-1), 0,
                    out, i * m * n, n);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor a = input(0);
        Tensor b = input(1);
        Tensor a2 = aVector ? a.view(1, a.size(0)) : a;
        Tensor b2 = bVector ? b.view(b.size(0), 1) : b;
        Shape batch = Shape.broadcast("matmul", Shape.of(batch(a2)), Shape.of(batch(b2)));
        Tensor g2 = g.view(concat(batch.dims(), a2.size(-2), b2.size(-1)));
        Tensor ga = null;
        Tensor gb = null;
        if (needsGrad(0)) {
            // dA = G B^T, summed over the batch dimensions A was broadcast along.
            ga = DataMovement.sumTo(multiply(g2, b2, false, true), a2.shape()).view(a.dims());
        }
        if (needsGrad(1)) {
            gb = DataMovement.sumTo(multiply(a2, g2, true, false), b2.shape()).view(b.dims());
        }
        return new Tensor[] {ga, gb};
    }
}
