package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Transpose;
import dev.lanes.kernel.internal.Providers;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Blas#stranspose}: every provider puts each input element where the formula says
 * (8x8 vector blocks with leftover rows and columns, runs shorter and longer than a block), the
 * skipped rows and everything outside the output stay untouched, and bad arguments are named.
 */
class TransposeProperties {

    @Property(tries = 200)
    void everyElementLandsWhereTheFormulaSays(@ForAll @IntRange(min = 0, max = 40) int rows,
                                             @ForAll @IntRange(min = 0, max = 90) int cols,
                                             @ForAll @IntRange(min = 1, max = 30) int run,
                                             @ForAll @IntRange(min = 0, max = 3) int gap, @ForAll long seed) {
        Random r = new Random(seed);
        int ldi = Math.max(1, cols) + r.nextInt(3);
        int ldo = Math.max(1, rows) + r.nextInt(3);
        int inOff = r.nextInt(5);
        int outOff = r.nextInt(5);
        float[] in = new float[inOff + Math.max(0, rows - 1) * ldi + cols + r.nextInt(3)];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) r.nextGaussian();
        }
        int outRows = cols == 0 ? 0 : cols - 1 + (cols - 1) / run * gap + 1;
        float[] out0 = new float[outOff + Math.max(0, outRows - 1) * ldo + rows + 2];
        Arrays.fill(out0, Float.NaN);
        // Where each output element must come from: -1 for elements that must stay untouched.
        int[] source = new int[out0.length];
        Arrays.fill(source, -1);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                source[outOff + (j + j / run * gap) * ldo + i] = inOff + i * ldi + j;
            }
        }
        String shape = rows + "x" + cols + " run " + run + " gap " + gap;
        float[] scalar = out0.clone();
        Transpose.stranspose(Providers.scalar(), rows, cols, in, inOff, ldi, run, gap, scalar, outOff, ldo);
        for (int e = 0; e < out0.length; e++) {
            if (source[e] < 0) {
                assertTrue(Float.isNaN(scalar[e]), "element " + e + " was written, " + shape);
            } else {
                assertEquals(in[source[e]], scalar[e], 0f, "element " + e + ", " + shape);
            }
        }
        float[] vector = out0.clone();
        Transpose.stranspose(Providers.vector().orElseThrow(), rows, cols, in, inOff, ldi, run, gap, vector, outOff, ldo);
        assertArrayEquals(scalar, vector, 0f, shape);
    }

    @Test
    void aPlainTransposeOfAWholeVectorBlockAndMore() {
        int rows = 16;
        int cols = 27;
        float[] in = new float[rows * cols];
        for (int i = 0; i < in.length; i++) {
            in[i] = i;
        }
        float[] out = new float[rows * cols];
        Transpose.stranspose(Providers.vector().orElseThrow(), rows, cols, in, 0, cols, cols, 0, out, 0, rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                assertEquals(i * cols + j, out[j * rows + i], 0f, "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        float[] a = new float[64];
        float[] b = new float[64];
        assertMessage("run must be >= 1", () -> Transpose.stranspose(2, 2, a, 0, 2, 0, 0, b, 0, 2));
        assertMessage("gap=-1", () -> Transpose.stranspose(2, 2, a, 0, 2, 1, -1, b, 0, 2));
        assertMessage("rows and cols must be >= 0", () -> Transpose.stranspose(-1, 2, a, 0, 2, 2, 0, b, 0, 2));
        assertMessage("ldi=1", () -> Transpose.stranspose(2, 2, a, 0, 1, 2, 0, b, 0, 2));
        assertMessage("ldo=1", () -> Transpose.stranspose(2, 2, a, 0, 2, 2, 0, b, 0, 1));
        assertMessage("inOff=-1", () -> Transpose.stranspose(2, 2, a, -1, 2, 2, 0, b, 0, 2));
        assertMessage("in.length >= 65", () -> Transpose.stranspose(8, 8, a, 1, 8, 8, 0, b, 0, 8));
        // 8 columns in runs of 2 with 3 rows skipped after each: output rows up to 7 + 3 * 3 = 16.
        assertMessage("out.length >= 68", () -> Transpose.stranspose(4, 8, a, 0, 8, 2, 3, b, 0, 4));
        assertMessage("overlap", () -> Transpose.stranspose(4, 4, a, 0, 4, 4, 0, a, 8, 4));
        assertThrows(NullPointerException.class, () -> Transpose.stranspose(1, 1, null, 0, 1, 1, 0, b, 0, 1));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
