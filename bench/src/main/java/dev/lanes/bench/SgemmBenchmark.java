package dev.lanes.bench;

import dev.lanes.kernel.Blas;
import dev.lanes.kernel.internal.Parallel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM {@code C = A * B} (row-major, no transposes, beta = 0) for the shapes the recurrent and
 * convolutional layers use. GFLOP/s = 2 * M * N * K / time. C is returned, so JMH consumes
 * the product and the call cannot be removed as dead code. {@code threads} sizes the Lanes pool
 * ({@code Parallel.setThreads}) in the benchmark's JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SgemmBenchmark {

    /** M x K x N. */
    @Param({"64x64x64", "128x128x128", "256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "64x384x1024", "1x384x1024"})
    public String shape;

    /** Threads of the Lanes pool. */
    @Param({"1", "2"})
    public int threads;

    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        int[] mkn = BenchData.shape(shape);
        m = mkn[0];
        k = mkn[1];
        n = mkn[2];
        SplittableRandom random = new SplittableRandom(17);
        a = BenchData.uniform(m * k, random);
        b = BenchData.uniform(k * n, random);
        c = new float[m * n];
        Parallel.setThreads(threads);
    }

    @Benchmark
    public float[] sgemm() {
        Blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }
}
