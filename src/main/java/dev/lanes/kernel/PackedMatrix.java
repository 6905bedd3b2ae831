package dev.lanes.kernel;

import dev.lanes.kernel.internal.ArrayChecks;
import dev.lanes.kernel.internal.GemmKernels;
import dev.lanes.kernel.internal.Providers;

/**
 * The right operand of single precision products, packed once into the layout the GEMM kernels
 * read, for any number of {@link Blas#sgemm(boolean, int, float, float[], int, int, PackedMatrix,
 * float, float[], int, int)} calls: a weight matrix multiplied on every step of a sequence, or on
 * every request of a service, is then not copied again by each product. A packed matrix is a
 * snapshot: later changes to the source array do not reach it until {@link #repack}.
 *
 * <p>The layout belongs to the kernel provider that packed it; a product on a thread that runs
 * another provider (see {@link Kernels#use}) is refused. Not thread-safe while being repacked;
 * concurrent products on one packed matrix are fine.
 */
public final class PackedMatrix {

    private final int rows;
    private final int cols;
    private final float[] data;
    private final GemmKernels packer;

    private PackedMatrix(int rows, int cols, GemmKernels packer) {
        this.rows = rows;
        this.cols = cols;
        this.packer = packer;
        int length;
        try {
            length = packer.packedBLength(rows, cols);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("pack: a packed " + rows + "x" + cols
                    + " matrix does not fit in an array (panels are padded to the kernel's column width)");
        }
        this.data = new float[length];
    }

    /**
     * Packs {@code op(B)}, a {@code rows x cols} matrix (the {@code k x n} right operand of a
     * product), stored row-major from {@code off} with leading dimension {@code ld}, or stored
     * transposed ({@code cols x rows}) when {@code trans}.
     *
     * @throws IllegalArgumentException for negative sizes, a bad offset or leading dimension, a
     *                                  matrix outside the array, or a packed form too large for an
     *                                  array
     */
    public static PackedMatrix pack(boolean trans, int rows, int cols, float[] b, int off, int ld) {
        check("pack", trans, rows, cols, b, off, ld);
        PackedMatrix p = new PackedMatrix(rows, cols, Providers.provider().gemm());
        p.packer.packB(trans, rows, cols, b, off, ld, p.data);
        return p;
    }

    /**
     * Packs new values of a matrix of the same shape into this storage, allocating nothing.
     *
     * @return this
     * @throws IllegalStateException when this thread now runs another kernel provider
     */
    public PackedMatrix repack(boolean trans, float[] b, int off, int ld) {
        check("repack", trans, rows, cols, b, off, ld);
        packer("repack").packB(trans, rows, cols, b, off, ld, data);
        return this;
    }

    /** @return the rows of {@code op(B)}: the {@code k} of a product */
    public int rows() {
        return rows;
    }

    /** @return the columns of {@code op(B)}: the {@code n} of a product */
    public int cols() {
        return cols;
    }

    float[] data() {
        return data;
    }

    /** The packing provider's kernels, if the calling thread still runs that provider. */
    GemmKernels packer(String op) {
        GemmKernels current = Providers.provider().gemm();
        if (current != packer) {
            throw new IllegalStateException(op + ": the matrix was packed under another kernel provider than this"
                    + " thread's (" + Providers.provider().name() + "); pack it again under the provider in use");
        }
        return packer;
    }

    private static void check(String op, boolean trans, int rows, int cols, float[] b, int off, int ld) {
        if (b == null) {
            throw new NullPointerException(op + ": b is null");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": sizes must be >= 0, got rows=" + rows + ", cols=" + cols);
        }
        int storedRows = trans ? cols : rows;
        int storedCols = trans ? rows : cols;
        if (ld < Math.max(1, storedCols)) {
            throw new IllegalArgumentException(op + ": ld=" + ld + " is smaller than max(1, " + storedCols
                    + ") for " + (trans ? "a transposed " : "a ") + rows + "x" + cols + " matrix");
        }
        if (off < 0) {
            throw new IllegalArgumentException(op + ": off must be >= 0, got " + off);
        }
        ArrayChecks.extent(op, "B", "b", b.length, off, storedRows, storedCols, ld);
    }
}
