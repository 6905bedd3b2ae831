package dev.lanes.kernel.internal;

/**
 * Argument validation shared by {@code sgemm} and {@code dgemm} (sizes, leading dimensions,
 * offsets, array extents and overlap of the output with an input).
 */
public final class GemmShape {

    private GemmShape() {
    }

    /**
     * Checks the sizes, leading dimensions and offsets of {@code C = op(A) op(B)}, that every
     * matrix fits in its array, and that C shares no element with A or B. Static, so a call
     * allocates nothing (the serving path calls GEMM on every step).
     *
     * @param cIsA whether {@code a} and {@code c} are the same array
     * @param cIsB whether {@code b} and {@code c} are the same array
     */
    public static void check(String op, boolean transA, boolean transB, int m, int n, int k, int aOff, int lda, int bOff,
                      int ldb, int cOff, int ldc, int aLength, int bLength, int cLength, boolean cIsA, boolean cIsB) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": sizes must be >= 0, got m=" + m + ", n=" + n + ", k=" + k);
        }
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        if (lda < Math.max(1, aCols)) {
            throw new IllegalArgumentException(op + ": lda=" + lda + " is smaller than max(1, "
                    + (transA ? "m" : "k") + "=" + aCols + ") for " + (transA ? "transposed " : "") + "A");
        }
        if (ldb < Math.max(1, bCols)) {
            throw new IllegalArgumentException(op + ": ldb=" + ldb + " is smaller than max(1, "
                    + (transB ? "k" : "n") + "=" + bCols + ") for " + (transB ? "transposed " : "") + "B");
        }
        if (ldc < Math.max(1, n)) {
            throw new IllegalArgumentException(op + ": ldc=" + ldc + " is smaller than max(1, n=" + n + ")");
        }
        if (aOff < 0 || bOff < 0 || cOff < 0) {
            throw new IllegalArgumentException(op + ": offsets must be >= 0, got aOff=" + aOff
                    + ", bOff=" + bOff + ", cOff=" + cOff);
        }
        ArrayChecks.extent(op, "A", "a", aLength, aOff, aRows, aCols, lda);
        ArrayChecks.extent(op, "B", "b", bLength, bOff, bRows, bCols, ldb);
        ArrayChecks.extent(op, "C", "c", cLength, cOff, m, n, ldc);
        if (cIsA && overlaps(cOff, m, n, ldc, aOff, aRows, aCols, lda)) {
            throw new IllegalArgumentException(op + ": C overlaps A in the same array");
        }
        if (cIsB && overlaps(cOff, m, n, ldc, bOff, bRows, bCols, ldb)) {
            throw new IllegalArgumentException(op + ": C overlaps B in the same array");
        }
    }

    /**
     * Whether two strided row-major regions share an element. Each row of the first region is
     * tested against the only row of the second that can meet it: the last one starting at or
     * before its end (rows of a region are disjoint and ordered because ld >= cols).
     */
    public static boolean overlaps(int off1, int rows1, int cols1, int ld1, int off2, int rows2, int cols2, int ld2) {
        if (rows1 == 0 || cols1 == 0 || rows2 == 0 || cols2 == 0) {
            return false;
        }
        for (int i = 0; i < rows1; i++) {
            long start = off1 + (long) i * ld1;
            long last = start + cols1 - 1;
            long row = Math.floorDiv(last - off2, (long) ld2);
            if (row < 0) {
                continue;
            }
            row = Math.min(row, rows2 - 1);
            long rowEnd = off2 + row * ld2 + cols2;
            if (rowEnd > start) {
                return true;
            }
        }
        return false;
    }
}
