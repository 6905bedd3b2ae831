package dev.lanes.bench;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.ElementwiseKernels;
import dev.lanes.kernel.internal.Providers;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * sigmoid, tanh and exp over {@code n} floats, four ways in one run:
 * <ul>
 *   <li>{@code mathLoop}: a plain loop over {@link Math} in double precision, rounded to float
 *       (what a straightforward Java implementation does);</li>
 *   <li>{@code lanesScalar}: the scalar provider (the float polynomial, one element at a
 *       time);</li>
 *   <li>{@code lanesVector}: the vector provider (the same polynomial on whole vectors);</li>
 *   <li>{@code jdkVectorOperators}: {@code lanewise(VectorOperators.TANH / EXP)}, the JDK's own
 *       vector math (Intel SVML where the JVM has it, per-lane {@code Math} otherwise); sigmoid
 *       as {@code 1 / (1 + EXP(-x))}.</li>
 * </ul>
 * Inputs are uniform in [-10, 10]; every method writes {@code y}, which JMH keeps alive.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ActivationBenchmark {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** The function. */
    @Param({"sigmoid", "tanh", "exp"})
    public String fn;

    /** Number of elements. */
    @Param({"1024", "65536"})
    public int n;

    private float[] x;
    private float[] y;
    private Activation activation;
    private ElementwiseKernels scalar;
    private ElementwiseKernels vector;

    /** Seeded inputs and the two providers. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        x = new float[n];
        y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-10, 10);
        }
        activation = Activation.valueOf(fn.toUpperCase(java.util.Locale.ROOT));
        scalar = Providers.scalar().elementwise();
        vector = Providers.vector().orElseThrow(() -> new IllegalStateException("vector provider unavailable: "
                + Providers.vectorUnavailableReason().orElse("?"))).elementwise();
    }

    /** @return y, computed with {@link Math} */
    @Benchmark
    public float[] mathLoop() {
        switch (activation) {
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    y[i] = (float) (1 / (1 + Math.exp(-x[i])));
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    y[i] = (float) Math.tanh(x[i]);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    y[i] = (float) Math.exp(x[i]);
                }
            }
        }
        return y;
    }

    /** @return y, from the scalar provider */
    @Benchmark
    public float[] lanesScalar() {
        scalar.activate(activation, x, 0, y, 0, n);
        return y;
    }

    /** @return y, from the vector provider */
    @Benchmark
    public float[] lanesVector() {
        vector.activate(activation, x, 0, y, 0, n);
        return y;
    }

    /**
     * @return y, through the public {@code Elementwise.activate}, which splits
     *         n >= {@code Elementwise.PARALLEL_MIN} over the pool
     */
    @Benchmark
    public float[] lanesPool() {
        Elementwise.activate(activation, x, 0, y, 0, n);
        return y;
    }

    /** @return y, from the JDK's vector math operators (n is a multiple of every vector length here) */
    @Benchmark
    public float[] jdkVectorOperators() {
        switch (activation) {
            case SIGMOID -> {
                for (int i = 0; i < n; i += S.length()) {
                    FloatVector e = FloatVector.fromArray(S, x, i).neg().lanewise(VectorOperators.EXP);
                    e.broadcast(1f).div(e.add(1f)).intoArray(y, i);
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i += S.length()) {
                    FloatVector.fromArray(S, x, i).lanewise(VectorOperators.TANH).intoArray(y, i);
                }
            }
            default -> {
                for (int i = 0; i < n; i += S.length()) {
                    FloatVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(y, i);
                }
            }
        }
        return y;
    }
}
