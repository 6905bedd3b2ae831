package dev.lanes.kernel.internal;

/**
 * The reference loop of {@code GatherBlas.stranspose}: column {@code j} of the input becomes output
 * row {@code j + (j / run) * gap}. The scalar provider runs it whole; the vector provider runs it
 * for the rows and columns its blocks leave over. A transposition only copies, so both give the
 * same bits.
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
     * {@code GatherBlas.stranspose}. Each output row is written in order.
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
}
