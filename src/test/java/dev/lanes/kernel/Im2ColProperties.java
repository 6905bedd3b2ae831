package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.kernel.internal.Im2Col;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The columns matrix against its definition, over random geometries (half of them stride 1 with
 * "same" padding, the contiguous fast path), written into a range of a larger array with garbage
 * around it; col2im is its adjoint.
 */
class Im2ColProperties {

    static ConvGeometry randomGeometry(Random r) {
        int kH = 1 + r.nextInt(4);
        int kW = 1 + r.nextInt(4);
        int dH = 1 + r.nextInt(2);
        int dW = 1 + r.nextInt(2);
        int h = 1 + r.nextInt(9);
        int w = 1 + r.nextInt(9);
        int sH = 1;
        int sW = 1;
        int pH;
        int pW;
        if (r.nextBoolean()) {
            // "same" width: 2 pW = dW (kW - 1), so the output is as wide as the input.
            kW = 1 + 2 * r.nextInt(3);
            pW = dW * (kW - 1) / 2;
            pH = r.nextInt(3);
            w = Math.max(w, 1);
        } else {
            sH = 1 + r.nextInt(3);
            sW = 1 + r.nextInt(3);
            pH = r.nextInt(3);
            pW = r.nextInt(3);
        }
        h = Math.max(h, dH * (kH - 1) + 1 - 2 * pH);
        w = Math.max(w, dW * (kW - 1) + 1 - 2 * pW);
        int groups = 1 + r.nextInt(2);
        int cIn = groups * (1 + r.nextInt(3));
        return ConvGeometry.of(1, cIn, h, w, groups, groups, kH, kW, sH, sW, pH, pW, dH, dW);
    }

    /** Row (c, i, j), column (oh, ow) = x[c, oh sH - pH + i dH, ow sW - pW + j dW] or 0. */
    static double[] reference(ConvGeometry g, double[] x, int xOff) {
        double[] cols = new double[g.k() * g.l()];
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            for (int i = 0; i < g.kH(); i++) {
                for (int j = 0; j < g.kW(); j++, row++) {
                    for (int oh = 0; oh < g.hOut(); oh++) {
                        for (int ow = 0; ow < g.wOut(); ow++) {
                            int ih = oh * g.sH() - g.pH() + i * g.dH();
                            int iw = ow * g.sW() - g.pW() + j * g.dW();
                            boolean inside = ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w();
                            cols[(row * g.hOut() + oh) * g.wOut() + ow] =
                                    inside ? x[xOff + (c * g.h() + ih) * g.w() + iw] : 0;
                        }
                    }
                }
            }
        }
        return cols;
    }

    @Property(tries = 300)
    void columnsMatchTheDefinitionInBothPrecisions(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g = randomGeometry(r);
        int xOff = r.nextInt(5);
        double[] x = new double[xOff + g.cg() * g.h() * g.w() + r.nextInt(5)];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(1000) + 1;
        }
        double[] expected = reference(g, x, xOff);
        int rowStart = r.nextInt(g.k());
        int rowEnd = rowStart + 1 + r.nextInt(g.k() - rowStart);
        int colsOff = r.nextInt(7);
        int size = (rowEnd - rowStart) * g.l();
        double[] cols = new double[colsOff + size + 3];
        Arrays.fill(cols, Double.NaN);
        Im2Col.im2col(g, x, xOff, rowStart, rowEnd, cols, colsOff);
        float[] xf = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xf[i] = (float) x[i];
        }
        float[] colsF = new float[cols.length];
        Arrays.fill(colsF, Float.NaN);
        Im2Col.im2col(g, xf, xOff, rowStart, rowEnd, colsF, colsOff);
        for (int i = 0; i < cols.length; i++) {
            boolean inRange = i >= colsOff && i < colsOff + size;
            double want = inRange ? expected[rowStart * g.l() + i - colsOff] : Double.NaN;
            assertEquals(want, cols[i], 0, g + " rows [" + rowStart + ", " + rowEnd + ") element " + i);
            assertEquals((float) want, colsF[i], 0f, g + " float element " + i);
        }
    }

    @Property(tries = 200)
    void col2imIsTheAdjointOfIm2col(@ForAll long seed) {
        Random r = new Random(seed);
        ConvGeometry g = randomGeometry(r);
        double[] x = new double[g.cg() * g.h() * g.w()];
        double[] y = new double[g.k() * g.l()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(21) - 10;
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(21) - 10;
        }
        double[] cols = new double[y.length];
        Im2Col.im2col(g, x, 0, 0, g.k(), cols, 0);
        double[] back = new double[x.length];
        Im2Col.col2im(g, y, 0, back, 0);
        double lhs = 0;
        double rhs = 0;
        for (int i = 0; i < y.length; i++) {
            lhs += cols[i] * y[i];
        }
        for (int i = 0; i < x.length; i++) {
            rhs += x[i] * back[i];
        }
        assertEquals(lhs, rhs, 0, g.toString());
    }

    @Test
    void badRangesAreNamed() {
        ConvGeometry g = ConvGeometry.of(1, 2, 4, 4, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Im2Col.im2col(g, new float[31], 0, 0, 18, new float[18 * 16], 0));
        assertEquals("im2col: input range [0, 32) is outside an array of 31", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Im2Col.im2col(g, new float[32], 0, 0, 19, new float[19 * 16], 0));
        assertEquals("im2col: rows [0, 19) outside [0, 18)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Im2Col.im2col(g, new float[32], 0, 2, 18, new float[16 * 16], 1));
        assertEquals("im2col: columns range [1, 257) is outside an array of 256", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvGeometry.of(1, 2, 2, 2, 3, 1, 5, 5, 1, 1, 0, 0, 1, 1));
        assertEquals(true, e.getMessage().contains("Kernel size can't be greater than actual input size"));
        assertArrayEquals(new int[] {4, 4}, new int[] {g.hOut(), g.wOut()});
    }
}
