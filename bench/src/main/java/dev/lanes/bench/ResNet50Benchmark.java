package dev.lanes.bench;

import dev.lanes.autograd.StepMemory;
import dev.lanes.kernel.internal.Parallel;
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
 * torchvision's ResNet-50 on 3 x 224 x 224 images, the model of {@code bench/torch_resnet.py
 * --resnet50}: one SGD training step (forward, cross entropy over 1000 classes, backward,
 * momentum update) on a batch of {@link #batch}, F32, fixed thread count.
 * Images per second = batch / step time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ResNet50Benchmark {

    /** Images per step. */
    @Param({"8"})
    public int batch;

    /** Pool threads. */
    @Param({"1", "2"})
    public int threads;

    private ResNet net;
    private SGD opt;
    private Tensor images;
    private int[] labels;
    private StepMemory memory;

    /** A seeded network, a random batch and spread labels, and a few whole steps to compile the kernels. */
    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        Generator gen = new Generator(1);
        net = ResNets.resnet50(1000, gen);
        // A small learning rate and labels spread over the classes: a few images are soon
        // memorised, and a loss near zero makes the gradients subnormal, which would time the
        // CPU's slow path for them instead of the step.
        opt = new SGD(net.parameters(), 1e-4, 0.9);
        images = Tensor.randn(gen, DType.F32, batch, 3, 224, 224);
        memory = new StepMemory();
        labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = (i * 389) % 1000;
        }
        for (int i = 0; i < 3; i++) {
            trainStep();
        }
    }

    /** Back to the default pool size. */
    @TearDown
    public void tearDown() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** @return the loss of one training step, in a step memory as the trainer runs it */
    @Benchmark
    public double trainStep() {
        return TrainingStep.run(memory, net, opt, images, labels);
    }
}
