package dev.lanes.kernel.internal;

/**
 * Transposition with skipped output rows: the checked entry points ({@link #stranspose}) and the
 * reference loop ({@link #range}), in which column {@code j} of the input becomes output row
 * {@code j + (j / run) * gap}. The scalar provider runs the loop whole; the vector provider runs
 * it for the rows and columns its blocks leave over. A transposition only copies, so both give
 * the same bits.
 */
public final class Transpose {

    private Transpose() {
    }

    /** @return the output row of input column {@code j}: {@code gap} rows are skipped after every {@code run} */
    public static int outputRow(int j, int run, int gap) {
        return j + j / run * gap;
    }

    /**
     * Copies input rows {@code [i0, i1)} of columns {@code [j0, j1)}; arguments as
     * {@link #stranspose}. Each output row is written in order.
     */
    public static void range(int i0, int i1, int j0, int j1, float[] in, int inOff, int ldi, int run, int gap,
                             float[] out, int outOff, int ldo) {
        for (int j = j0; j < j1; j++) {
            int dst = outOff + outputRow(j, run, gap) * ldo;
            int src = inOff + j;
            for (int i = i0; i < i1; i++) {
                out[dst + i] = in[src + i * ldi];
            }
        }
    }

    /**
     * Transposes the {@code rows x cols} row-major matrix at {@code in[inOff]} (leading dimension
     * {@code ldi}) into {@code out}, leaving {@code gap} output rows unwritten after every
     * {@code run} input columns: {@code out[outOff + (j + (j / run) * gap) * ldo + i] =
     * in[inOff + i * ldi + j]}. With {@code run = cols} and {@code gap = 0} it is the plain
     * transpose. The channel-blocked convolution uses it to lay planes out as blocks of channels
     * with a padded border, and back ({@link BlockedConv}). Runs on the
     * calling thread; only copies, so every provider gives the same bits.
     *
     * @throws IllegalArgumentException naming the argument when a size is negative,
     *                                  {@code run < 1}, a leading dimension is too small, a range
     *                                  falls outside its array, or the ranges overlap
     */
    public static void stranspose(int rows, int cols, float[] in, int inOff, int ldi, int run, int gap, float[] out,
                                  int outOff, int ldo) {
        stranspose(Providers.provider(), rows, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
    }

    /** {@link #stranspose} on a given provider. */
    public static void stranspose(KernelProvider provider, int rows, int cols, float[] in, int inOff, int ldi, int run,
                           int gap, float[] out, int outOff, int ldo) {
        String op = "stranspose";
        ArrayChecks.nonNull(op, "in", in);
        ArrayChecks.nonNull(op, "out", out);
        if (run < 1 || gap < 0) {
            throw new IllegalArgumentException(op + ": run must be >= 1 and gap >= 0, got run=" + run + ", gap=" + gap);
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": rows and cols must be >= 0, got " + rows + "x" + cols);
        }
        if (ldi < Math.max(1, cols) || ldo < Math.max(1, rows)) {
            throw new IllegalArgumentException(op + ": ldi=" + ldi + " must be >= max(1, cols=" + cols + ") and ldo="
                    + ldo + " >= max(1, rows=" + rows + ")");
        }
        if (inOff < 0 || outOff < 0) {
            throw new IllegalArgumentException(op + ": offsets must be >= 0, got inOff=" + inOff + ", outOff=" + outOff);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long outRows = (long) (cols - 1) + (long) ((cols - 1) / run) * gap + 1;
        ArrayChecks.extent(op, "the input", "in", in.length, inOff, rows, cols, ldi);
        if (outOff + (outRows - 1) * ldo + rows > out.length) {
            throw new IllegalArgumentException(op + ": the output (" + outRows + " rows of " + rows + ", offset " + outOff
                    + ", leading dimension " + ldo + ") needs out.length >= " + (outOff + (outRows - 1) * ldo + rows)
                    + ", but it is " + out.length);
        }
        ArrayChecks.disjoint(op, "in", in, inOff, inOff + (long) (rows - 1) * ldi + cols, "out", out, outOff,
                outOff + (outRows - 1) * ldo + rows);
        provider.gemm().stranspose(rows, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
    }
}
