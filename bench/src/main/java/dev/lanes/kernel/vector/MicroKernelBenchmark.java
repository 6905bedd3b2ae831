package dev.lanes.kernel.vector;

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
 * The 12-row SGEMM micro-kernel alone, on one packed A panel and one packed B panel that stay
 * in cache: the register-blocking ceiling, to compare with {@code FmaPeakBenchmark}.
 * GFLOP/s = 2 * 12 * NR * kc / time. (In this package to reach the package-private kernel; the
 * suite runs on the class path.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class MicroKernelBenchmark {

    /** Length of the k loop. */
    @Param({"64", "256", "768"})
    public int kc;

    private float[] ap;
    private float[] bp;
    private float[] c;
    private final float[] alphaBeta = {1f, 0f};

    @Setup
    public void setUp() {
        ap = new float[SgemmMicroKernels.MR * kc];
        bp = new float[SgemmMicroKernels.NR * kc];
        c = new float[SgemmMicroKernels.MR * SgemmMicroKernels.NR];
        for (int i = 0; i < ap.length; i++) {
            ap[i] = (i % 7) * 0.25f;
        }
        for (int i = 0; i < bp.length; i++) {
            bp[i] = (i % 5) * 0.5f;
        }
    }

    /** @return the C tile, consumed by JMH */
    @Benchmark
    public float[] tile12x2() {
        SgemmTiles.tile12x2(kc, ap, 0, 1, SgemmMicroKernels.MR, bp, 0, SgemmMicroKernels.NR,
                c, 0, SgemmMicroKernels.NR, alphaBeta);
        return c;
    }
}
