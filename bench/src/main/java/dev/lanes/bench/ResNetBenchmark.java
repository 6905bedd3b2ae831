package dev.lanes.bench;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.StepMemory;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.nn.Linear;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.optim.SGD;
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
 * CIFAR-style ResNet-20 (option A shortcuts), the shapes of {@code bench/torch_resnet.py}: one
 * SGD training step (forward, cross entropy, backward, update) on a batch of 64, and the
 * inference latency of one image; F32, fixed thread count. Images per second = 64 / step time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ResNetBenchmark {

    /** Input shape: "1x28x28" (Fashion-MNIST) or "3x32x32" (CIFAR). */
    @Param({"1x28x28", "3x32x32"})
    public String shape;

    /** Pool threads. */
    @Param({"1", "2"})
    public int threads;

    private ResNet net;
    private SGD opt;
    private Tensor batch;
    private Tensor single;
    private int[] labels;
    private StepMemory memory;

    /** A seeded network, a random batch and labels. */
    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        String[] p = shape.split("x");
        int c = Integer.parseInt(p[0]);
        int h = Integer.parseInt(p[1]);
        int w = Integer.parseInt(p[2]);
        Generator gen = new Generator(1);
        net = ResNets.resnet20(c, 10, gen);
        opt = new SGD(net.parameters(), 0.01, 0.9);
        batch = Tensor.randn(gen, DType.F32, 64, c, h, w);
        single = Tensor.randn(gen, DType.F32, 1, c, h, w);
        memory = new StepMemory();
        labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        // Whole steps before the head alone: warming the head first would leave shared code
        // compiled for the head's type profile, which slows the measured steps.
        for (int i = 0; i < WHOLE_STEPS_FIRST; i++) {
            trainStep();
        }
        warmHead((h + 3) / 4, (w + 3) / 4, labels);
    }

    /** Training steps run in the set-up before {@link #warmHead}. */
    private static final int WHOLE_STEPS_FIRST = 10;

    /**
     * The classifier head (the mean over H and W, the 64 -> 10 linear layer, the cross entropy and
     * their backward) runs its small vector kernels one to three times per step, so C2 compiles
     * them only after about a thousand steps, far beyond this benchmark's warm-up; until then they
     * cost time per step that a long training run does not pay. The same ops on the same shapes,
     * 3000 times up front, let the measured steps run the code a long run runs. Separate tensors
     * and a separate generator: the measured network, batch and labels are unchanged.
     */
    private static void warmHead(int h, int w, int[] labels) {
        Generator gen = new Generator(2);
        Linear fc = new Linear(64, 10, true, DType.F32, gen);
        Tensor features = Tensor.randn(gen, DType.F32, 64, 64, h, w).requiresGrad(true);
        for (int i = 0; i < 3000; i++) {
            Losses.crossEntropy(fc.forward(Ops.mean(features, false, 2, 3)), labels).backward();
            features.zeroGrad();
        }
    }

    /** Back to the default pool size. */
    @TearDown
    public void tearDown() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** @return the loss of one training step on 64 images, in a step memory as the trainer runs it */
    @Benchmark
    public double trainStep() {
        return TrainingStep.run(memory, net, opt, batch, labels);
    }

    /** @return the logits of one image in evaluation mode, without tape */
    @Benchmark
    public Tensor inferOne() {
        net.eval();
        try (NoGrad ng = NoGrad.enter()) {
            return net.forward(single);
        }
    }
}
