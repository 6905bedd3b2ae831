package dev.lanes.autograd;

import dev.lanes.kernel.Blas;
import dev.lanes.kernel.PackedMatrix;

/**
 * {@code y = x W^T + beta y} for a weight {@code W [out, in]} fixed when a plan is captured, with
 * the bits of the eager {@code gemm(x, W, transB)} it stands for: packed once into the GEMM's
 * panels ({@link PackedMatrix}), except for products of at most four rows, which the GEMM runs as
 * dot products on the weight as stored (and packs nothing).
 */
final class ConstantProduct {

    /** Products of at most this many rows by a transposed weight run as dot products, packing nothing. */
    static final int DOT_ROWS = 4;

    private final float[] w;
    private final int in;
    private final int out;
    private final int rows;
    private final PackedMatrix packed;

    /**
     * @param w    the weight {@code [out, in]}, row-major (kept, not copied)
     * @param rows the rows of every product this will compute
     */
    ConstantProduct(float[] w, int out, int in, int rows) {
        this.w = w;
        this.in = in;
        this.out = out;
        this.rows = rows;
        this.packed = rows > DOT_ROWS ? PackedMatrix.pack(true, in, out, w, 0, in) : null;
    }

    /** {@code y[yOff..] = x[xOff..] W^T + beta y[yOff..]}, all rows contiguous. */
    void multiply(float[] x, int xOff, float beta, float[] y, int yOff) {
        if (packed == null) {
            Blas.sgemm(false, true, rows, out, in, 1f, x, xOff, in, w, 0, in, beta, y, yOff, out);
        } else {
            Blas.sgemm(false, rows, 1f, x, xOff, in, packed, beta, y, yOff, out);
        }
    }
}
