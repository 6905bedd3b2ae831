package dev.lanes.bench;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.ArithmeticKernels;
import dev.lanes.kernel.internal.ElementwiseKernels;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.SoftmaxKernels;
import dev.lanes.kernel.internal.SumKernels;
import dev.lanes.kernel.internal.SumTerm;
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
 * The memory-bound pointwise kernels the layers and cells use, on the vector provider, against
 * {@code System.arraycopy} of {@code n} floats as the memory-speed line. Bytes moved per call:
 * copy 8n, mul 12n, axpy 12n, addProduct 16n, sumOfProducts 20n, sum 4n, dot 8n, softmax
 * (rows of 256) about 16n. n = 4096 stays in L1 (48 KiB), n = 32768 in L2.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PointwiseBenchmark {

    /** Number of elements per operand. */
    @Param({"1024", "32768"})
    public int n;

    private float[] a;
    private float[] b;
    private float[] c;
    private float[] d;
    private float[] y;
    private ElementwiseKernels k;
    private ArithmeticKernels arithmetic;
    private SumKernels sums;
    private SoftmaxKernels softmax;

    /** Seeded operands on the vector provider. */
    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7);
        a = BenchData.uniform(n, random);
        b = BenchData.uniform(n, random);
        c = BenchData.uniform(n, random);
        d = BenchData.uniform(n, random);
        y = new float[n];
        KernelProvider vector = Providers.vector().orElseThrow();
        k = vector.elementwise();
        arithmetic = vector.arithmetic();
        sums = vector.sums();
        softmax = vector.softmax();
    }

    /** @return y, a copy of a: the memory-speed line */
    @Benchmark
    public float[] copy() {
        System.arraycopy(a, 0, y, 0, n);
        return y;
    }

    /** @return y = a * b */
    @Benchmark
    public float[] mul() {
        arithmetic.mul(a, 0, b, 0, y, 0, n);
        return y;
    }

    /** @return y += 1e-9 a (small, so that y stays finite over a run) */
    @Benchmark
    public float[] axpy() {
        arithmetic.axpy(a, 0, y, 0, n, 1e-9f);
        return y;
    }

    /** @return y += a * b */
    @Benchmark
    public float[] addProduct() {
        arithmetic.addProduct(a, 0, b, 0, y, 0, n);
        return y;
    }

    /** @return y = a * b + c * d, the LSTM cell state update */
    @Benchmark
    public float[] sumOfProducts() {
        arithmetic.sumOfProducts(a, 0, b, 0, c, 0, d, 0, y, 0, n);
        return y;
    }

    /** @return y = tanh(a + bias) over rows of 256 (the bias is b's first row) */
    @Benchmark
    public float[] biasTanh() {
        System.arraycopy(a, 0, y, 0, n);
        k.biasActivate(Activation.TANH, n / 256, 256, b, 0, y, 0, 256);
        return y;
    }

    /** @return the fixed-order sum of a */
    @Benchmark
    public float sum() {
        return sums.sum(SumTerm.PLAIN, a, 0, null, 0, 0f, n);
    }

    /** @return the fixed-order dot product of a and b */
    @Benchmark
    public float dot() {
        return sums.sum(SumTerm.PRODUCT, a, 0, b, 0, 0f, n);
    }

    /** @return y = softmax of a over rows of 256 */
    @Benchmark
    public float[] softmax() {
        softmax.softmax(n / 256, 256, a, 0, y, 0);
        return y;
    }
}
