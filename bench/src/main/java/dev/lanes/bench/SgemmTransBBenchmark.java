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
 * SGEMM in the layout of a linear layer with PyTorch's weights: {@code Y = X * W^T}, W stored
 * as out x in ({@code transB = true}). GFLOP/s = 2 * M * N * K / time, shapes M x K x N =
 * batch x in x out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SgemmTransBBenchmark {

    /** M x K x N. */
    @Param({"1x384x1024", "4x384x1024", "64x384x1024", "256x256x256", "1024x1024x1024"})
    public String shape;

    /** Threads of the Lanes pool. */
    @Param({"1", "2"})
    public int threads;

    private int m;
    private int n;
    private int k;
    private float[] x;
    private float[] w;
    private float[] y;

    @Setup
    public void setUp() {
        int[] mkn = BenchData.shape(shape);
        m = mkn[0];
        k = mkn[1];
        n = mkn[2];
        SplittableRandom random = new SplittableRandom(17);
        x = BenchData.uniform(m * k, random);
        w = BenchData.uniform(n * k, random);
        y = new float[m * n];
        Parallel.setThreads(threads);
    }

    /** @return Y, consumed by JMH */
    @Benchmark
    public float[] sgemmTransB() {
        Blas.sgemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, 0f, y, 0, n);
        return y;
    }
}
