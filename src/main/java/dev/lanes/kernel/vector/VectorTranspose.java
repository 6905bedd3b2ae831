package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.Scratch;
import dev.lanes.kernel.internal.Transpose;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code Transpose.stranspose} in square blocks of the preferred vector: 8x8 blocks of 256-bit
 * vectors, or 16x16 of 512-bit ones. A block's rows are loaded, transposed in registers in
 * log2(lanes) steps (each swaps the off-diagonal halves of the 16x16, 8x8, 4x4, then 2x2
 * sub-blocks with one lane shift and one blend per vector), and each vector is stored as
 * consecutive floats of one output row, rather than one float at a time as the element loop
 * writes them. Only the preferred species is used: vectors of another shape in the same JVM
 * share the Vector API's call-site profiles with the other kernels' vectors, and a polluted
 * profile can make C2 box the vectors of a kernel it compiles later. On machines whose vectors
 * are narrower than 256 bits, and for the rows and columns left over, it runs {@link Transpose#range}.
 */
final class VectorTranspose {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** The block size: the preferred vector's lanes, if it is 8 or 16 (else the element loop runs). */
    private static final int B = S.length() == 8 || S.length() == 16 ? S.length() : 0;

    // For each step s = 8, 4, 2, 1: UP moves lane j - s to lane j and DOWN lane j + s to lane j
    // (in the lanes that take them, j & s != 0 for UP); HIGH marks the lanes with j & s != 0.
    private static final VectorShuffle<Float> UP8 = shift(8, true);
    private static final VectorShuffle<Float> DOWN8 = shift(8, false);
    private static final VectorShuffle<Float> UP4 = shift(4, true);
    private static final VectorShuffle<Float> DOWN4 = shift(4, false);
    private static final VectorShuffle<Float> UP2 = shift(2, true);
    private static final VectorShuffle<Float> DOWN2 = shift(2, false);
    private static final VectorShuffle<Float> UP1 = shift(1, true);
    private static final VectorShuffle<Float> DOWN1 = shift(1, false);
    private static final VectorMask<Float> HIGH8 = high(8);
    private static final VectorMask<Float> LOW8 = HIGH8.not();
    private static final VectorMask<Float> HIGH4 = high(4);
    private static final VectorMask<Float> LOW4 = HIGH4.not();
    private static final VectorMask<Float> HIGH2 = high(2);
    private static final VectorMask<Float> LOW2 = HIGH2.not();
    private static final VectorMask<Float> HIGH1 = high(1);
    private static final VectorMask<Float> LOW1 = HIGH1.not();

    private VectorTranspose() {
    }

    private static VectorShuffle<Float> shift(int s, boolean up) {
        int[] lanes = new int[S.length()];
        for (int j = 0; j < lanes.length; j++) {
            boolean high = (j & s) != 0;
            lanes[j] = up ? (high ? j - s : j) : (high ? j : j + s);
        }
        return VectorShuffle.fromArray(S, lanes, 0);
    }

    private static VectorMask<Float> high(int s) {
        boolean[] lanes = new boolean[S.length()];
        for (int j = 0; j < lanes.length; j++) {
            lanes[j] = (j & s) != 0;
        }
        return VectorMask.fromArray(S, lanes, 0);
    }

    static void stranspose(int rows, int cols, float[] in, int inOff, int ldi, int run, int gap, float[] out,
                           int outOff, int ldo) {
        if (B == 0 || rows < B || cols < B) {
            Transpose.range(0, rows, 0, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
            return;
        }
        // at[j]: where output row j + (j / run) gap starts, stepped without a division per column.
        int[] at = Scratch.ints(Scratch.TRANSPOSE_OFFSETS, cols);
        int row = 0;
        int left = run;
        for (int j = 0; j < cols; j++) {
            at[j] = outOff + row * ldo;
            row++;
            if (--left == 0) {
                row += gap;
                left = run;
            }
        }
        int fullRows = rows - rows % B;
        int fullCols = cols - cols % B;
        // Column blocks outside, so that each output row's floats are written together.
        for (int j = 0; j < fullCols; j += B) {
            for (int i = 0; i < fullRows; i += B) {
                if (B == 16) {
                    block16(in, inOff + i * ldi + j, ldi, out, at, j, i);
                } else {
                    block(in, inOff + i * ldi + j, ldi, out, at, j, i);
                }
            }
        }
        Transpose.range(fullRows, rows, 0, fullCols, in, inOff, ldi, run, gap, out, outOff, ldo);
        Transpose.range(0, rows, fullCols, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
    }

    /**
     * Input rows {@code i..i+7} of columns {@code j..j+7} (from {@code src}) into the output rows
     * starting at {@code at[j..j+7]}, from column {@code i}.
     */
    private static void block(float[] in, int src, int ldi, float[] out, int[] at, int j, int i) {
        FloatVector r0 = FloatVector.fromArray(S, in, src);
        FloatVector r1 = FloatVector.fromArray(S, in, src + ldi);
        FloatVector r2 = FloatVector.fromArray(S, in, src + 2 * ldi);
        FloatVector r3 = FloatVector.fromArray(S, in, src + 3 * ldi);
        FloatVector r4 = FloatVector.fromArray(S, in, src + 4 * ldi);
        FloatVector r5 = FloatVector.fromArray(S, in, src + 5 * ldi);
        FloatVector r6 = FloatVector.fromArray(S, in, src + 6 * ldi);
        FloatVector r7 = FloatVector.fromArray(S, in, src + 7 * ldi);
        FloatVector t;
        // Swap the off-diagonal 4x4 blocks of each 8x8 block.
        t = r0.blend(r4.rearrange(UP4), HIGH4);
        r4 = r4.blend(r0.rearrange(DOWN4), LOW4);
        r0 = t;
        t = r1.blend(r5.rearrange(UP4), HIGH4);
        r5 = r5.blend(r1.rearrange(DOWN4), LOW4);
        r1 = t;
        t = r2.blend(r6.rearrange(UP4), HIGH4);
        r6 = r6.blend(r2.rearrange(DOWN4), LOW4);
        r2 = t;
        t = r3.blend(r7.rearrange(UP4), HIGH4);
        r7 = r7.blend(r3.rearrange(DOWN4), LOW4);
        r3 = t;
        // Swap the off-diagonal 2x2 blocks of each 4x4 block.
        t = r0.blend(r2.rearrange(UP2), HIGH2);
        r2 = r2.blend(r0.rearrange(DOWN2), LOW2);
        r0 = t;
        t = r1.blend(r3.rearrange(UP2), HIGH2);
        r3 = r3.blend(r1.rearrange(DOWN2), LOW2);
        r1 = t;
        t = r4.blend(r6.rearrange(UP2), HIGH2);
        r6 = r6.blend(r4.rearrange(DOWN2), LOW2);
        r4 = t;
        t = r5.blend(r7.rearrange(UP2), HIGH2);
        r7 = r7.blend(r5.rearrange(DOWN2), LOW2);
        r5 = t;
        // Swap the off-diagonal 1x1 blocks of each 2x2 block.
        t = r0.blend(r1.rearrange(UP1), HIGH1);
        r1 = r1.blend(r0.rearrange(DOWN1), LOW1);
        r0 = t;
        t = r2.blend(r3.rearrange(UP1), HIGH1);
        r3 = r3.blend(r2.rearrange(DOWN1), LOW1);
        r2 = t;
        t = r4.blend(r5.rearrange(UP1), HIGH1);
        r5 = r5.blend(r4.rearrange(DOWN1), LOW1);
        r4 = t;
        t = r6.blend(r7.rearrange(UP1), HIGH1);
        r7 = r7.blend(r6.rearrange(DOWN1), LOW1);
        r6 = t;
        r0.intoArray(out, at[j] + i);
        r1.intoArray(out, at[j + 1] + i);
        r2.intoArray(out, at[j + 2] + i);
        r3.intoArray(out, at[j + 3] + i);
        r4.intoArray(out, at[j + 4] + i);
        r5.intoArray(out, at[j + 5] + i);
        r6.intoArray(out, at[j + 6] + i);
        r7.intoArray(out, at[j + 7] + i);
    }

    /** {@link #block} for 16 lanes: rows {@code i..i+15} of columns {@code j..j+15}, in four steps. */
    private static void block16(float[] in, int src, int ldi, float[] out, int[] at, int j, int i) {
        FloatVector r0 = FloatVector.fromArray(S, in, src);
        FloatVector r1 = FloatVector.fromArray(S, in, src + ldi);
        FloatVector r2 = FloatVector.fromArray(S, in, src + 2 * ldi);
        FloatVector r3 = FloatVector.fromArray(S, in, src + 3 * ldi);
        FloatVector r4 = FloatVector.fromArray(S, in, src + 4 * ldi);
        FloatVector r5 = FloatVector.fromArray(S, in, src + 5 * ldi);
        FloatVector r6 = FloatVector.fromArray(S, in, src + 6 * ldi);
        FloatVector r7 = FloatVector.fromArray(S, in, src + 7 * ldi);
        FloatVector r8 = FloatVector.fromArray(S, in, src + 8 * ldi);
        FloatVector r9 = FloatVector.fromArray(S, in, src + 9 * ldi);
        FloatVector r10 = FloatVector.fromArray(S, in, src + 10 * ldi);
        FloatVector r11 = FloatVector.fromArray(S, in, src + 11 * ldi);
        FloatVector r12 = FloatVector.fromArray(S, in, src + 12 * ldi);
        FloatVector r13 = FloatVector.fromArray(S, in, src + 13 * ldi);
        FloatVector r14 = FloatVector.fromArray(S, in, src + 14 * ldi);
        FloatVector r15 = FloatVector.fromArray(S, in, src + 15 * ldi);
        FloatVector t;
        // Swap the off-diagonal 8x8 blocks of each 16x16 block.
        t = r0.blend(r8.rearrange(UP8), HIGH8);
        r8 = r8.blend(r0.rearrange(DOWN8), LOW8);
        r0 = t;
        t = r1.blend(r9.rearrange(UP8), HIGH8);
        r9 = r9.blend(r1.rearrange(DOWN8), LOW8);
        r1 = t;
        t = r2.blend(r10.rearrange(UP8), HIGH8);
        r10 = r10.blend(r2.rearrange(DOWN8), LOW8);
        r2 = t;
        t = r3.blend(r11.rearrange(UP8), HIGH8);
        r11 = r11.blend(r3.rearrange(DOWN8), LOW8);
        r3 = t;
        t = r4.blend(r12.rearrange(UP8), HIGH8);
        r12 = r12.blend(r4.rearrange(DOWN8), LOW8);
        r4 = t;
        t = r5.blend(r13.rearrange(UP8), HIGH8);
        r13 = r13.blend(r5.rearrange(DOWN8), LOW8);
        r5 = t;
        t = r6.blend(r14.rearrange(UP8), HIGH8);
        r14 = r14.blend(r6.rearrange(DOWN8), LOW8);
        r6 = t;
        t = r7.blend(r15.rearrange(UP8), HIGH8);
        r15 = r15.blend(r7.rearrange(DOWN8), LOW8);
        r7 = t;
        // Swap the off-diagonal 4x4 blocks of each 8x8 block.
        t = r0.blend(r4.rearrange(UP4), HIGH4);
        r4 = r4.blend(r0.rearrange(DOWN4), LOW4);
        r0 = t;
        t = r1.blend(r5.rearrange(UP4), HIGH4);
        r5 = r5.blend(r1.rearrange(DOWN4), LOW4);
        r1 = t;
        t = r2.blend(r6.rearrange(UP4), HIGH4);
        r6 = r6.blend(r2.rearrange(DOWN4), LOW4);
        r2 = t;
        t = r3.blend(r7.rearrange(UP4), HIGH4);
        r7 = r7.blend(r3.rearrange(DOWN4), LOW4);
        r3 = t;
        t = r8.blend(r12.rearrange(UP4), HIGH4);
        r12 = r12.blend(r8.rearrange(DOWN4), LOW4);
        r8 = t;
        t = r9.blend(r13.rearrange(UP4), HIGH4);
        r13 = r13.blend(r9.rearrange(DOWN4), LOW4);
        r9 = t;
        t = r10.blend(r14.rearrange(UP4), HIGH4);
        r14 = r14.blend(r10.rearrange(DOWN4), LOW4);
        r10 = t;
        t = r11.blend(r15.rearrange(UP4), HIGH4);
        r15 = r15.blend(r11.rearrange(DOWN4), LOW4);
        r11 = t;
        // Swap the off-diagonal 2x2 blocks of each 4x4 block.
        t = r0.blend(r2.rearrange(UP2), HIGH2);
        r2 = r2.blend(r0.rearrange(DOWN2), LOW2);
        r0 = t;
        t = r1.blend(r3.rearrange(UP2), HIGH2);
        r3 = r3.blend(r1.rearrange(DOWN2), LOW2);
        r1 = t;
        t = r4.blend(r6.rearrange(UP2), HIGH2);
        r6 = r6.blend(r4.rearrange(DOWN2), LOW2);
        r4 = t;
        t = r5.blend(r7.rearrange(UP2), HIGH2);
        r7 = r7.blend(r5.rearrange(DOWN2), LOW2);
        r5 = t;
        t = r8.blend(r10.rearrange(UP2), HIGH2);
        r10 = r10.blend(r8.rearrange(DOWN2), LOW2);
        r8 = t;
        t = r9.blend(r11.rearrange(UP2), HIGH2);
        r11 = r11.blend(r9.rearrange(DOWN2), LOW2);
        r9 = t;
        t = r12.blend(r14.rearrange(UP2), HIGH2);
        r14 = r14.blend(r12.rearrange(DOWN2), LOW2);
        r12 = t;
        t = r13.blend(r15.rearrange(UP2), HIGH2);
        r15 = r15.blend(r13.rearrange(DOWN2), LOW2);
        r13 = t;
        // Swap the off-diagonal 1x1 blocks of each 2x2 block.
        t = r0.blend(r1.rearrange(UP1), HIGH1);
        r1 = r1.blend(r0.rearrange(DOWN1), LOW1);
        r0 = t;
        t = r2.blend(r3.rearrange(UP1), HIGH1);
        r3 = r3.blend(r2.rearrange(DOWN1), LOW1);
        r2 = t;
        t = r4.blend(r5.rearrange(UP1), HIGH1);
        r5 = r5.blend(r4.rearrange(DOWN1), LOW1);
        r4 = t;
        t = r6.blend(r7.rearrange(UP1), HIGH1);
        r7 = r7.blend(r6.rearrange(DOWN1), LOW1);
        r6 = t;
        t = r8.blend(r9.rearrange(UP1), HIGH1);
        r9 = r9.blend(r8.rearrange(DOWN1), LOW1);
        r8 = t;
        t = r10.blend(r11.rearrange(UP1), HIGH1);
        r11 = r11.blend(r10.rearrange(DOWN1), LOW1);
        r10 = t;
        t = r12.blend(r13.rearrange(UP1), HIGH1);
        r13 = r13.blend(r12.rearrange(DOWN1), LOW1);
        r12 = t;
        t = r14.blend(r15.rearrange(UP1), HIGH1);
        r15 = r15.blend(r14.rearrange(DOWN1), LOW1);
        r14 = t;
        r0.intoArray(out, at[j] + i);
        r1.intoArray(out, at[j + 1] + i);
        r2.intoArray(out, at[j + 2] + i);
        r3.intoArray(out, at[j + 3] + i);
        r4.intoArray(out, at[j + 4] + i);
        r5.intoArray(out, at[j + 5] + i);
        r6.intoArray(out, at[j + 6] + i);
        r7.intoArray(out, at[j + 7] + i);
        r8.intoArray(out, at[j + 8] + i);
        r9.intoArray(out, at[j + 9] + i);
        r10.intoArray(out, at[j + 10] + i);
        r11.intoArray(out, at[j + 11] + i);
        r12.intoArray(out, at[j + 12] + i);
        r13.intoArray(out, at[j + 13] + i);
        r14.intoArray(out, at[j + 14] + i);
        r15.intoArray(out, at[j + 15] + i);
    }
}
