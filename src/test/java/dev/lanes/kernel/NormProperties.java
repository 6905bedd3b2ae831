package dev.lanes.kernel;

import static dev.lanes.kernel.FloatValues.sameBits;
import static dev.lanes.kernel.ReductionProperties.documentedOrder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.LayerNormKernels;
import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.internal.Norms;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Layer normalisation kernels on both providers: single precision follows the arithmetic that
 * {@link LayerNormKernels} declares bit for bit (so the providers agree at every vector width), is
 * accurate against double precision, double precision is one code on both providers; the facade
 * combines the column sums of the backward pass in its documented blocks, and every result is
 * the same bits for any thread count. The batch-norm passes follow their documented arithmetic
 * bit for bit in both precisions.
 */
class NormProperties {

    @AfterProperty
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Provide
    static Arbitrary<KernelProvider> provider() {
        return SgemmProperties.provider();
    }

    /** Row lengths: 1, primes, around the lane counts (4, 8, 16) and the 64 partial sums. */
    @Provide
    static Arbitrary<Integer> cols() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 40),
                Arbitraries.of(1, 2, 3, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 257),
                Arbitraries.integers().between(1, 700));
    }

    /** One random problem, every array starting at {@code off}. */
    record Problem(int rows, int cols, int off, float[] x, float[] w, float[] b, float[] dy, double eps) {

        /** With {@code degenerate}, some rows are constant (variance 0, where eps alone sets rstd). */
        static Problem random(Random r, int rows, int cols, int off, boolean weight, boolean bias, boolean degenerate) {
            int n = rows * cols;
            float scale = new float[] {0.01f, 1f, 30f}[r.nextInt(3)];
            float[] x = new float[off + n + 2];
            for (int i = 0; i < n; i++) {
                x[off + i] = (float) r.nextGaussian() * scale;
            }
            for (int i = 0; i < rows; i++) {
                // Some rows far from 0, where the rounding of the mean matters.
                float shift = new float[] {0f, 0f, 3f, -1000f}[r.nextInt(4)];
                boolean constant = degenerate && r.nextInt(8) == 0;
                float first = x[off + i * cols];
                for (int j = 0; j < cols; j++) {
                    int at = off + i * cols + j;
                    x[at] = (constant ? first : x[at]) + shift;
                }
            }
            double eps = new double[] {1e-5, 1e-3, 0.25, 1e-12}[r.nextInt(4)];
            return new Problem(rows, cols, off, x, weight ? ReductionProperties.gaussian(r, off + cols, 1.5f) : null,
                    bias ? ReductionProperties.gaussian(r, off + cols, 1f) : null,
                    ReductionProperties.gaussian(r, off + n + 1, 1f), eps);
        }

        float[] rowOf(float[] a, int r) {
            return Arrays.copyOfRange(a, off + r * cols, off + (r + 1) * cols);
        }
    }

    /** What one forward and one backward kernel call write: y, mean, rstd, dx, dw, db. */
    record Outputs(float[] y, float[] mean, float[] rstd, float[] dx, float[] dw, float[] db) {

        static Outputs of(Problem p) {
            int n = p.off() + p.rows() * p.cols();
            return new Outputs(new float[n], nan(p.off() + p.rows()), nan(p.off() + p.rows()), new float[n],
                    nan(p.off() + p.cols()), nan(p.off() + p.cols()));
        }

        private static float[] nan(int n) {
            float[] a = new float[n];
            Arrays.fill(a, Float.NaN);
            return a;
        }
    }

    /** The arithmetic of {@link LayerNormKernels} (src/main/ops/fused.ops), written out plainly from the fixed-order sum. */
    static Outputs documented(Problem p) {
        Outputs o = Outputs.of(p);
        int off = p.off();
        int cols = p.cols();
        for (int r = 0; r < p.rows(); r++) {
            float[] x = p.rowOf(p.x(), r);
            float[] dy = p.rowOf(p.dy(), r);
            float mu0 = (float) ((double) documentedOrder(x) / cols);
            float[] d = new float[cols];
            float[] squares = new float[cols];
            for (int j = 0; j < cols; j++) {
                d[j] = x[j] - mu0;
                squares[j] = d[j] * d[j];
            }
            double c = (double) documentedOrder(d) / cols;
            float mu = (float) (mu0 + c);
            double var = Math.max(0, (double) documentedOrder(squares) / cols - c * c);
            float rs = (float) (1 / Math.sqrt(var + p.eps()));
            o.mean()[off + r] = mu;
            o.rstd()[off + r] = rs;
            float[] xhat = new float[cols];
            float[] g = new float[cols];
            float[] gx = new float[cols];
            for (int j = 0; j < cols; j++) {
                xhat[j] = (x[j] - mu) * rs;
                float h = xhat[j];
                h = p.w() == null ? h : h * p.w()[off + j];
                o.y()[off + r * cols + j] = p.b() == null ? h : h + p.b()[off + j];
                g[j] = p.w() == null ? dy[j] : dy[j] * p.w()[off + j];
                gx[j] = g[j] * xhat[j];
            }
            float meanG = (float) ((double) documentedOrder(g) / cols);
            float meanGx = (float) ((double) documentedOrder(gx) / cols);
            for (int j = 0; j < cols; j++) {
                o.dx()[off + r * cols + j] = rs * ((g[j] - meanG) - xhat[j] * meanGx);
                float dw = r == 0 ? 0f : o.dw()[off + j];
                float db = r == 0 ? 0f : o.db()[off + j];
                o.dw()[off + j] = dw + dy[j] * xhat[j];
                o.db()[off + j] = db + dy[j];
            }
        }
        return o;
    }

    /** One kernel call each way on {@code k}, in place when asked (y over a copy of x, dx over a copy of dy). */
    static Outputs run(LayerNormKernels k, Problem p, boolean inPlace) {
        Outputs o = Outputs.of(p);
        float[] y = inPlace ? p.x().clone() : o.y();
        float[] dx = inPlace ? p.dy().clone() : o.dx();
        int off = p.off();
        k.layerNorm(p.rows(), p.cols(), inPlace ? y : p.x(), off, p.w(), off, p.b(), off, y, off, o.mean(), off,
                o.rstd(), off, p.eps());
        k.layerNormBackward(p.rows(), p.cols(), p.x(), off, o.mean(), off, o.rstd(), off, p.w(), off,
                inPlace ? dx : p.dy(), off, dx, off, o.dw(), off, o.db(), off);
        System.arraycopy(y, 0, o.y(), 0, o.y().length);
        System.arraycopy(dx, 0, o.dx(), 0, o.dx().length);
        return o;
    }

    static void assertSameBits(float[] want, float[] got, int from, int to, String what) {
        for (int i = from; i < to; i++) {
            assertTrue(sameBits(want[i], got[i]), what + " element " + (i - from) + ": expected " + want[i] + ", got "
                    + got[i]);
        }
    }

    @Property(tries = 300)
    void singlePrecisionFollowsTheDocumentedArithmeticBitForBit(@ForAll("provider") KernelProvider provider,
                                                                @ForAll @IntRange(min = 1, max = 5) int rows,
                                                                @ForAll("cols") int cols,
                                                                @ForAll @IntRange(max = 3) int off,
                                                                @ForAll boolean weight, @ForAll boolean bias,
                                                                @ForAll boolean inPlace, @ForAll long seed) {
        Problem p = Problem.random(new Random(seed), rows, cols, off, weight, bias, true);
        Outputs want = documented(p);
        Outputs got = run(provider.layerNorm(), p, inPlace);
        String at = provider.name() + " " + rows + "x" + cols + (inPlace ? " in place" : "");
        int n = off + rows * cols;
        assertSameBits(want.y(), got.y(), off, n, at + " y");
        assertSameBits(want.mean(), got.mean(), off, off + rows, at + " mean");
        assertSameBits(want.rstd(), got.rstd(), off, off + rows, at + " rstd");
        assertSameBits(want.dx(), got.dx(), off, n, at + " dx");
        assertSameBits(want.dw(), got.dw(), off, off + cols, at + " dw");
        assertSameBits(want.db(), got.db(), off, off + cols, at + " db");
    }

    @Property(tries = 200)
    void singlePrecisionIsAccurate(@ForAll("provider") KernelProvider provider,
                                   @ForAll @IntRange(min = 1, max = 4) int rows, @ForAll("cols") int cols,
                                   @ForAll boolean weight, @ForAll boolean bias, @ForAll long seed) {
        Problem p = Problem.random(new Random(seed), rows, cols, 0, weight, bias, false);
        Outputs got = run(provider.layerNorm(), p, false);
        double[] dw = new double[cols];
        double[] db = new double[cols];
        double[] dwTol = new double[cols];
        for (int r = 0; r < rows; r++) {
            double[] x = new double[cols];
            double[] dy = new double[cols];
            double mean = 0;
            for (int j = 0; j < cols; j++) {
                x[j] = p.x()[r * cols + j];
                dy[j] = p.dy()[r * cols + j];
                mean += x[j];
            }
            mean /= cols;
            double var = 0;
            for (double v : x) {
                var += (v - mean) * (v - mean);
            }
            var /= cols;
            double rs = 1 / Math.sqrt(var + p.eps());
            // Float holds the mean only to half an ulp, which the normalisation scales by rstd.
            double meanError = Math.ulp((float) mean) * rs;
            String at = provider.name() + " row " + r + " of " + rows + "x" + cols;
            assertEquals(rs, got.rstd()[r], 1e-5 * rs, at + " rstd");
            double[] xhat = new double[cols];
            double[] g = new double[cols];
            double sg = 0;
            double sgx = 0;
            double maxG = 0;
            double maxXhat = 0;
            for (int j = 0; j < cols; j++) {
                xhat[j] = (x[j] - mean) * rs;
                double w = weight ? p.w()[j] : 1;
                double b = bias ? p.b()[j] : 0;
                double y = xhat[j] * w + b;
                double tol = 1e-5 * (Math.abs(w) * (1 + Math.abs(xhat[j]) + meanError * 1e5) + Math.abs(b));
                assertEquals(y, got.y()[r * cols + j], tol, at + " y col " + j);
                g[j] = dy[j] * w;
                sg += g[j];
                sgx += g[j] * xhat[j];
                maxG = Math.max(maxG, Math.abs(g[j]));
                maxXhat = Math.max(maxXhat, Math.abs(xhat[j]));
                dw[j] += dy[j] * xhat[j];
                db[j] += dy[j];
                dwTol[j] += 1e-5 * (1 + Math.abs(dy[j] * xhat[j])) + Math.abs(dy[j]) * meanError;
            }
            for (int j = 0; j < cols; j++) {
                double dx = rs * (g[j] - sg / cols - xhat[j] * sgx / cols);
                double tol = 1e-5 * rs * maxG * (1 + maxXhat) * (1 + maxXhat + meanError * 1e5);
                assertEquals(dx, got.dx()[r * cols + j], tol, at + " dx col " + j);
            }
        }
        for (int j = 0; j < cols; j++) {
            assertEquals(db[j], got.db()[j], 1e-5 * rows, provider.name() + " db col " + j);
            assertEquals(dw[j], got.dw()[j], dwTol[j], provider.name() + " dw col " + j);
        }
    }

    @Property(tries = 100)
    void doublePrecisionIsOneCodeAndExactToRounding(@ForAll @IntRange(min = 1, max = 4) int rows,
                                                     @ForAll("cols") int cols, @ForAll boolean weight,
                                                     @ForAll boolean bias, @ForAll long seed) {
        Random r = new Random(seed);
        int n = rows * cols;
        double[] x = gaussian(r, n);
        double[] w = weight ? gaussian(r, cols) : null;
        double[] b = bias ? gaussian(r, cols) : null;
        double[] dy = gaussian(r, n);
        double[][] scalar = runDouble(Providers.scalar().layerNorm(), rows, cols, x, w, b, dy);
        double[][] vector = runDouble(Providers.vector().orElseThrow().layerNorm(), rows, cols, x, w, b, dy);
        for (int k = 0; k < scalar.length; k++) {
            assertArrayEquals(scalar[k], vector[k], 0d, "output " + k);
        }
        for (int i = 0; i < rows; i++) {
            double mean = 0;
            for (int j = 0; j < cols; j++) {
                mean += x[i * cols + j];
            }
            mean /= cols;
            double var = 0;
            for (int j = 0; j < cols; j++) {
                var += (x[i * cols + j] - mean) * (x[i * cols + j] - mean);
            }
            double rs = 1 / Math.sqrt(var / cols + 1e-5);
            for (int j = 0; j < cols; j++) {
                double y = (x[i * cols + j] - mean) * rs * (w == null ? 1 : w[j]) + (b == null ? 0 : b[j]);
                assertEquals(y, scalar[0][i * cols + j], 1e-12 * (1 + Math.abs(y)), "y " + i + "," + j);
            }
        }
    }

    private static double[] gaussian(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return a;
    }

    /** y, mean, rstd, dx, dw, db of one double call each way (eps 1e-5). */
    private static double[][] runDouble(LayerNormKernels k, int rows, int cols, double[] x, double[] w, double[] b,
                                        double[] dy) {
        double[][] o = {new double[rows * cols], new double[rows], new double[rows], new double[rows * cols],
            new double[cols], new double[cols]};
        k.layerNorm(rows, cols, x, 0, w, 0, b, 0, o[0], 0, o[1], 0, o[2], 0, 1e-5);
        k.layerNormBackward(rows, cols, x, 0, o[1], 0, o[2], 0, w, 0, dy, 0, o[3], 0, o[4], 0, o[5], 0);
        return o;
    }

    /**
     * The facade's column sums: one kernel call per block of {@link Norms#ROW_BLOCK} rows, block
     * sums added in block order in double, rounded once; dx as one kernel call gives it.
     */
    @Property(tries = 60)
    void columnSumsAreAddedInFixedBlocks(@ForAll("provider") KernelProvider provider,
                                         @ForAll @IntRange(min = 0, max = 150) int rows,
                                         @ForAll @IntRange(min = 1, max = 40) int cols, @ForAll boolean weight,
                                         @ForAll long seed) {
        Problem p = Problem.random(new Random(seed), rows, cols, 0, weight, false, true);
        LayerNormKernels k = provider.layerNorm();
        // The kernels assume rows >= 1; with none, only the facade runs.
        Outputs whole = rows == 0 ? Outputs.of(p) : run(k, p, false);
        double[] dw = new double[cols];
        double[] db = new double[cols];
        for (int r0 = 0; r0 < rows; r0 += Norms.ROW_BLOCK) {
            int n = Math.min(Norms.ROW_BLOCK, rows - r0);
            float[] pw = new float[cols];
            float[] pb = new float[cols];
            k.layerNormBackward(n, cols, p.x(), r0 * cols, whole.mean(), r0, whole.rstd(), r0, p.w(), 0, p.dy(),
                    r0 * cols, null, 0, pw, 0, pb, 0);
            for (int j = 0; j < cols; j++) {
                dw[j] += pw[j];
                db[j] += pb[j];
            }
        }
        float[] gotDx = new float[rows * cols];
        float[] gotDw = new float[cols];
        float[] gotDb = new float[cols];
        try (Providers.Scope s = Providers.use(provider)) {
            Norms.layerNormBackward(rows, cols, p.x(), 0, whole.mean(), 0, whole.rstd(), 0, p.w(), 0, p.dy(), 0, gotDx,
                    0, gotDw, 0, gotDb, 0);
        }
        assertSameBits(whole.dx(), gotDx, 0, rows * cols, provider.name() + " dx");
        for (int j = 0; j < cols; j++) {
            assertTrue(sameBits((float) dw[j], gotDw[j]), provider.name() + " dw col " + j);
            assertTrue(sameBits((float) db[j], gotDb[j]), provider.name() + " db col " + j);
        }
    }

    /** A long batch: the bias gradient of 0.1 per row stays within a block's rounding of the exact sum. */
    @Example
    void longBatchesKeepTheColumnSumsAccurate() {
        int rows = 50_000;
        int cols = 3;
        float[] x = new float[rows * cols];
        float[] dy = new float[rows * cols];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            dy[i] = 0.1f;
        }
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        Norms.layerNorm(rows, cols, x, 0, null, 0, null, 0, 1e-5, new float[x.length], 0, mean, 0, rstd, 0);
        float[] db = new float[cols];
        Norms.layerNormBackward(rows, cols, x, 0, mean, 0, rstd, 0, null, 0, dy, 0, null, 0, null, 0, db, 0);
        double exact = rows * (double) 0.1f;
        for (float v : db) {
            assertEquals(exact, v, 1e-6 * exact);
        }
    }

    @Example
    void sameBitsForAnyThreadCount() {
        int[][] shapes = {{700, 37}, {100, 1000}, {3000, 8}, {2049, 9}};
        for (KernelProvider provider : SgemmProperties.providers()) {
            for (int[] s : shapes) {
                Problem p = Problem.random(new Random(s[0] * 31L + s[1]), s[0], s[1], 1, true, true, true);
                Parallel.setThreads(1);
                float[][] one = runFacade(provider, p);
                double[][] oneDouble = runFacadeDouble(provider, p);
                for (int threads = 2; threads <= 3; threads++) {
                    Parallel.setThreads(threads);
                    float[][] many = runFacade(provider, p);
                    double[][] manyDouble = runFacadeDouble(provider, p);
                    for (int k = 0; k < one.length; k++) {
                        String what = provider.name() + " " + s[0] + "x" + s[1] + " output " + k + ", 1 vs " + threads
                                + " threads";
                        assertArrayEquals(one[k], many[k], what);
                        assertArrayEquals(oneDouble[k], manyDouble[k], what + " (F64)");
                    }
                }
            }
        }
    }

    /** y, mean, rstd, dx, dw, db through the facade (which splits rows across threads). */
    private static float[][] runFacade(KernelProvider provider, Problem p) {
        int n = p.rows() * p.cols();
        int off = p.off();
        float[][] o = {new float[off + n], new float[off + p.rows()], new float[off + p.rows()], new float[off + n],
            new float[off + p.cols()], new float[off + p.cols()]};
        try (Providers.Scope s = Providers.use(provider)) {
            Norms.layerNorm(p.rows(), p.cols(), p.x(), off, p.w(), off, p.b(), off, p.eps(), o[0], off, o[1], off,
                    o[2], off);
            Norms.layerNormBackward(p.rows(), p.cols(), p.x(), off, o[1], off, o[2], off, p.w(), off, p.dy(), off, o[3],
                    off, o[4], off, o[5], off);
        }
        return o;
    }

    private static double[][] runFacadeDouble(KernelProvider provider, Problem p) {
        int n = p.rows() * p.cols();
        double[] x = widen(p.x());
        double[] w = widen(p.w());
        double[] b = widen(p.b());
        double[] dy = widen(p.dy());
        int off = p.off();
        double[][] o = {new double[off + n], new double[off + p.rows()], new double[off + p.rows()],
            new double[off + n], new double[off + p.cols()], new double[off + p.cols()]};
        try (Providers.Scope s = Providers.use(provider)) {
            Norms.layerNorm(p.rows(), p.cols(), x, off, w, off, b, off, p.eps(), o[0], off, o[1], off, o[2], off);
            Norms.layerNormBackward(p.rows(), p.cols(), x, off, o[1], off, o[2], off, w, off, dy, off, o[3], off, o[4],
                    off, o[5], off);
        }
        return o;
    }

    private static double[] widen(float[] a) {
        if (a == null) {
            return null;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /**
     * The batch-norm passes over one channel's planes, through the facade on both providers: each
     * element as {@link NormKernels#batchNorm} and {@link NormKernels#batchNormBackward} write it,
     * computed here in double and rounded to the working precision after every operation (which
     * is float arithmetic exactly), for values with signed zeros, infinities and NaN, planes around
     * the vector widths, a gap between planes that is left as it was, and in place.
     */
    @Property(tries = 300)
    void batchNormPassesFollowTheDocumentedArithmeticBitForBit(@ForAll("provider") KernelProvider provider,
                                                               @ForAll boolean f32,
                                                               @ForAll @IntRange(min = 1, max = 4) int rows,
                                                               @ForAll("cols") int cols,
                                                               @ForAll @IntRange(max = 3) int gap,
                                                               @ForAll boolean relu, @ForAll boolean residual,
                                                               @ForAll boolean batchStats, @ForAll boolean inPlace,
                                                               @ForAll long seed) {
        Random r = new Random(seed);
        DoubleUnaryOperator rd = f32 ? v -> (float) v : v -> v;
        int ld = cols + gap;
        int n = rows * ld;
        // mean, invstd, w, b, scale, meanG, meanGx: half of them zeros, ones or non-finite, so
        // that signed zeros reach the outputs (x = mean and b = -0 can make -0 before the ReLU).
        double[] c = new double[7];
        for (int i = 0; i < c.length; i++) {
            double[] special = {0d, -0d, 1d, -1d, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            c[i] = rd.applyAsDouble(r.nextBoolean() ? special[r.nextInt(special.length)] : r.nextGaussian());
        }
        double[] x = batchNormValues(r, n, c[0], rd);
        double[] res = residual ? batchNormValues(r, n, -0d, rd) : null;
        double[] dy = batchNormValues(r, n, c[5], rd);
        double[] wantY = inPlace ? x.clone() : new double[n];
        double[] wantDx = inPlace ? dy.clone() : new double[n];
        for (int i = 0; i < rows; i++) {
            for (int k = i * ld; k < i * ld + cols; k++) {
                double h = rd.applyAsDouble(rd.applyAsDouble(x[k] - c[0]) * c[1]);
                double v = rd.applyAsDouble(rd.applyAsDouble(h * c[2]) + c[3]);
                if (relu) {
                    v = res == null ? v : rd.applyAsDouble(v + res[k]);
                    v = v > 0 || Double.isNaN(v) ? v : 0d;
                }
                wantY[k] = v;
                double t = rd.applyAsDouble(rd.applyAsDouble(dy[k] - c[5]) - rd.applyAsDouble(h * c[6]));
                wantDx[k] = rd.applyAsDouble(c[4] * (batchStats ? t : dy[k]));
            }
        }
        Object xs = storage(x, f32);
        Object y = inPlace ? xs : storage(new double[n], f32);
        Object dys = storage(dy, f32);
        Object dx = inPlace ? dys : storage(new double[n], f32);
        try (Providers.Scope s = Providers.use(provider)) {
            // Backward first: in place, the forward pass overwrites x.
            Norms.batchNormBackward(rows, cols, dys, xs, 0, ld, c[0], c[1], c[4], c[5], c[6], batchStats, dx, 0, ld);
            Norms.batchNorm(rows, cols, xs, storage(res, f32), 0, ld, c[0], c[1], c[2], c[3], relu, y, 0, ld);
        }
        String at = provider.name() + (f32 ? " F32 " : " F64 ") + rows + "x" + cols + "+" + gap;
        for (int k = 0; k < n; k++) {
            assertEquals(Double.doubleToLongBits(wantY[k]), Double.doubleToLongBits(java.lang.reflect.Array.getDouble(y,
                    k)), at + " y element " + k + ": expected " + wantY[k] + ", got " + java.lang.reflect.Array.get(y, k));
            assertEquals(Double.doubleToLongBits(wantDx[k]), Double.doubleToLongBits(java.lang.reflect.Array.getDouble(dx,
                    k)), at + " dx element " + k + ": expected " + wantDx[k] + ", got " + java.lang.reflect.Array.get(dx, k));
        }
    }

    /**
     * Gaussian values, one in eight an edge value (signed zeros, infinities, NaN, extremes) and one
     * in eight equal to {@code like}.
     */
    private static double[] batchNormValues(Random r, int n, double like, DoubleUnaryOperator rd) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(8);
            a[i] = rd.applyAsDouble(pick == 0 ? FloatValues.EDGES[r.nextInt(FloatValues.EDGES.length)]
                    : pick == 1 ? like : r.nextGaussian() * 3);
        }
        return a;
    }

    /** A copy of {@code a} as the storage of the working precision (null stays null). */
    private static Object storage(double[] a, boolean f32) {
        if (a == null || !f32) {
            return a == null ? null : a.clone();
        }
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
