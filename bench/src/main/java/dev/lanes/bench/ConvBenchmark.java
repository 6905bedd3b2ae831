package dev.lanes.bench;

import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.nn.Conv2d;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A ResNet-20 stage-one convolution: {@code Conv2d(16, 16, 3x3, padding 1)} over a batch of 64
 * 32x32 images, F32, forward only (no tape) and forward + backward of {@code sum(output)} with
 * the input and parameter gradients. Fixed thread count.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ConvBenchmark {

    /** The layer and its input. */
    @State(Scope.Thread)
    public static class Layer {

        /** Pool threads. */
        @Param({"1", "2"})
        public int threads;

        Conv2d conv;
        Tensor x;

        /** A seeded layer and input [64, 16, 32, 32]. */
        @Setup
        public void setUp() {
            Parallel.setThreads(threads);
            Generator gen = new Generator(5);
            conv = new Conv2d(16, 16, 3, 1, 1, true, gen);
            x = Tensor.uniform(gen, DType.F32, -1, 1, 64, 16, 32, 32).requiresGrad(true);
        }

        /** Back to the default pool size. */
        @TearDown
        public void tearDown() {
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /** @return the output of a forward pass without tape */
    @Benchmark
    public Tensor forward(Layer s) {
        try (NoGrad ng = NoGrad.enter()) {
            return s.conv.forward(s.x);
        }
    }

    /** @return the weight gradient after forward and backward */
    @Benchmark
    public Tensor forwardBackward(Layer s) {
        s.conv.zeroGrad();
        s.x.zeroGrad();
        Ops.sum(s.conv.forward(s.x)).backward();
        return s.conv.weight().tensor().grad();
    }
}
