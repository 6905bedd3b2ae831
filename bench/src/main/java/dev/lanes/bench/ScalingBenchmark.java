package dev.lanes.bench;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.nn.CellSession;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
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
 * How cost grows with size, for predicting other workloads: an LSTM layer (input 128) over a
 * sequence, forward + backward and forward only, as the hidden size or the sequence length
 * grows; one LSTM cell step at batch 1 as the hidden size grows; a CIFAR ResNet (option A, 3 x
 * 32 x 32) training step and one-image inference as the depth grows. F32. The default
 * parameters are a cheap subset; {@code bench/run} passes the full sweeps with {@code -p}.
 */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ScalingBenchmark {

    /** An LSTM layer 128 -> hidden and an input [seq, batch, 128]. */
    @State(Scope.Thread)
    public static class Lstm {

        /** Hidden features. */
        @Param({"64", "256"})
        public int hidden;

        /** Time steps. */
        @Param({"100"})
        public int seq;

        /** Sequences per batch. */
        @Param({"64"})
        public int batch;

        /** Pool threads. */
        @Param({"1"})
        public int threads;

        LSTM layer;
        Tensor x;

        /** A seeded layer and input. */
        @Setup
        public void setUp() {
            Parallel.setThreads(threads);
            Generator gen = new Generator(3);
            layer = new LSTM(RecurrentOptions.of(128, hidden), gen);
            x = Tensor.uniform(gen, DType.F32, -1, 1, seq, batch, 128);
        }

        /** Back to the default pool size. */
        @TearDown
        public void tearDown() {
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /** One LSTM cell 128 -> hidden at batch 1, through a session. */
    @State(Scope.Thread)
    public static class Step {

        /** Hidden features. */
        @Param({"64", "256"})
        public int hidden;

        /** Pool threads. */
        @Param({"1"})
        public int threads;

        CellSession session;

        /** A seeded cell and input. */
        @Setup
        public void setUp() {
            Parallel.setThreads(threads);
            session = new LSTMCell(128, hidden, new Generator(1)).session(1);
            Tensor x = Tensor.uniform(new Generator(2), DType.F32, -1, 1, 1, 128);
            System.arraycopy(x.f32(), 0, session.input().f32(), 0, 128);
        }

        /** Back to the default pool size. */
        @TearDown
        public void tearDown() {
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /** A CIFAR ResNet of the given depth, an SGD optimizer, a batch and one image (3 x 32 x 32). */
    @State(Scope.Thread)
    public static class Depth {

        /** 6n + 2: 20, 32, 44, 56, 110. */
        @Param({"20", "32"})
        public int depth;

        /** Images per training step. */
        @Param({"16"})
        public int batch;

        /** Pool threads. */
        @Param({"1"})
        public int threads;

        ResNet net;
        SGD opt;
        Tensor images;
        Tensor single;
        int[] labels;

        /** A seeded network and random images. */
        @Setup
        public void setUp() {
            Parallel.setThreads(threads);
            Generator gen = new Generator(1);
            net = ResNets.cifar(depth, 3, 10, Shortcut.ZERO_PAD, true, DType.F32, gen);
            opt = new SGD(net.parameters(), 0.01, 0.9);
            images = Tensor.randn(gen, DType.F32, batch, 3, 32, 32);
            single = Tensor.randn(gen, DType.F32, 1, 3, 32, 32);
            labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % 10;
            }
        }

        /** Back to the default pool size. */
        @TearDown
        public void tearDown() {
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }

    /** @return a weight gradient after forward and backward of sum(output) + sum(h_n) + sum(c_n) */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Tensor lstmTrain(Lstm s) {
        s.layer.zeroGrad();
        SequenceOutput r = s.layer.forward(s.x, null, null);
        Ops.add(Ops.add(Ops.sum(r.output()), Ops.sum(r.hN())), Ops.sum(r.cN())).backward();
        return s.layer.parameters().get(0).grad();
    }

    /** @return the output of a forward pass without tape */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Tensor lstmForward(Lstm s) {
        try (NoGrad ng = NoGrad.enter()) {
            return s.layer.forward(s.x, null, null).output();
        }
    }

    /** @return the new hidden state */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Tensor lstmStep(Step s) {
        return s.session.step();
    }

    /** @return the loss of one SGD step */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public double resnetTrain(Depth d) {
        d.net.train();
        d.opt.zeroGrad();
        Tensor loss = Losses.crossEntropy(d.net.forward(d.images), d.labels);
        loss.backward();
        d.opt.step();
        return loss.item();
    }

    /** @return the logits of one image in evaluation mode, without tape */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Tensor resnetInfer(Depth d) {
        d.net.eval();
        try (NoGrad ng = NoGrad.enter()) {
            return d.net.forward(d.single);
        }
    }
}
