package dev.lanes.bench;

import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.nn.CellSession;
import dev.lanes.nn.GRU;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.Layer;
import dev.lanes.nn.RNN;
import dev.lanes.nn.RecurrentOptions;
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
 * Recurrent layers, the shapes of {@code bench/torch_recurrent.py}: one LSTM(128 -> 256) step at
 * batch 1 through a streaming session (inference, no tape), and LSTM, GRU and tanh RNN
 * (128 -> 256) over 100 steps at batch 64, forward only and forward + backward of
 * {@code sum(output) + sum(h_n) (+ sum(c_n))} with the parameter gradients. F32, fixed thread count.
 */
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class RecurrentBenchmark {

    /** One LSTM step, batch 1, through a session that owns its buffers. */
    @State(Scope.Thread)
    public static class Step {

        /** Pool threads (a batch-1 step stays on the calling thread; listed for the side-by-side table). */
        @Param({"1", "2"})
        public int threads;

        CellSession session;

        /** A seeded cell and input. */
        @Setup
        public void setUp() {
            Parallel.setThreads(threads);
            LSTMCell cell = new LSTMCell(128, 256, new Generator(1));
            session = cell.session(1);
            Tensor x = Tensor.uniform(new Generator(2), DType.F32, -1, 1, 1, 128);
            System.arraycopy(x.f32(), 0, session.input().f32(), 0, 128);
        }
    }

    /** A layer and its input sequence. */
    @State(Scope.Thread)
    public static class Sequence {

        /** LSTM, GRU or RNN (tanh). */
        @Param({"LSTM", "GRU", "RNN"})
        public String kind;

        /** Pool threads. */
        @Param({"1", "2"})
        public int threads;

        Layer layer;
        Tensor x;

        /** Seeded layer and input [100, 64, 128]. */
        @Setup
        public void setUp() {
            Parallel.setThreads(threads);
            RecurrentOptions o = RecurrentOptions.of(128, 256);
            Generator gen = new Generator(3);
            layer = switch (kind) {
                case "LSTM" -> new LSTM(o, gen);
                case "GRU" -> new GRU(o, gen);
                case "RNN" -> new RNN(o, Activation.TANH, gen);
                default -> throw new IllegalArgumentException(kind);
            };
            x = Tensor.uniform(gen, DType.F32, -1, 1, 100, 64, 128);
        }

        /** Back to the default pool size. */
        @TearDown
        public void tearDown() {
            Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }

        SequenceOutput run() {
            return switch (layer) {
                case LSTM l -> l.forward(x, null, null);
                case GRU g -> g.forward(x, null);
                case RNN r -> r.forward(x, null);
                default -> throw new IllegalStateException();
            };
        }
    }

    /** @return the new hidden state */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Tensor lstmStep(Step s) {
        return s.session.step();
    }

    /** @return the output of a forward pass without tape */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Tensor sequenceForward(Sequence s) {
        try (NoGrad ng = NoGrad.enter()) {
            return s.run().output();
        }
    }

    /** @return a weight gradient after forward and backward */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Tensor sequenceTrain(Sequence s) {
        s.layer.zeroGrad();
        SequenceOutput r = s.run();
        Tensor loss = Ops.add(Ops.sum(r.output()), Ops.sum(r.hN()));
        if (r.cN() != null) {
            loss = Ops.add(loss, Ops.sum(r.cN()));
        }
        loss.backward();
        return s.layer.parameters().get(0).grad();
    }
}
