package dev.lanes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.StepMemory;
import dev.lanes.data.Batch;
import dev.lanes.data.DataLoader;
import dev.lanes.data.Epoch;
import dev.lanes.data.FashionMnist;
import dev.lanes.data.Normalize;
import dev.lanes.distributed.Collective;
import dev.lanes.distributed.CollectiveOptions;
import dev.lanes.distributed.DataParallel;
import dev.lanes.distributed.LocalCollective;
import dev.lanes.distributed.TcpCollective;
import dev.lanes.kernel.Blas;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.PackedMatrix;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.LstmState;
import dev.lanes.optim.Adam;
import dev.lanes.optim.SGD;
import dev.lanes.optim.Schedules;
import dev.lanes.serve.CaptureOptions;
import dev.lanes.serve.NonFinitePolicy;
import dev.lanes.serve.Plan;
import dev.lanes.serve.PlanSession;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.train.EpochMetrics;
import dev.lanes.train.Trainer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's guides (own model, training, serving, threads and BLAS), as written there. */
class ReadmeGuideTest {

    @TempDir
    Path dir;

    // --- README, "Writing your own model", verbatim ---
    class MyNet extends Layer {
        private final Linear fc1;
        private final Linear fc2;

        MyNet(Generator gen) {
            fc1 = registerModule("fc1", new Linear(28 * 28, 128, gen));
            fc2 = registerModule("fc2", new Linear(128, 10, gen));
        }

        @Override
        public Tensor forward(Tensor x) {                      // x: [batch, 1, 28, 28]
            Tensor flat = Ops.reshape(x, x.size(0), 28 * 28);
            return fc2.forward(Ops.relu(fc1.forward(flat)));
        }
    }
    // --- end ---

    @Test
    void ownModel() {
        // --- README, verbatim ---
        MyNet net = new MyNet(new Generator(42));
        List<Tensor> params = net.parameters();                // what an optimizer takes
        Map<String, Tensor> state = net.stateDict();           // fc1.weight, fc1.bias, fc2.weight, fc2.bias
        net.loadStateDict(state);                              // strict: every name and shape must match
        // --- end ---
        assertEquals(4, params.size());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(state.keySet()));
    }

    @Test
    void training() throws IOException {
        // --- README, "Training", verbatim but for where the run goes ---
        FashionMnist.Splits data = FashionMnist.slice();       // 2,000 + 500 images shipped in the jar
        Normalize norm = Normalize.fit(data.train());
        DataLoader train = DataLoader.builder(data.train())
                .batchSize(64).shuffle(true).seed(7).randomCrop(2).horizontalFlip().normalize(norm).build();
        DataLoader test = DataLoader.builder(data.test()).batchSize(500).normalize(norm).build();

        Path run = dir.resolve("runs/mlp");
        MyNet model = new MyNet(new Generator(42));
        Adam opt = new Adam(model.parameters(), 1e-3);
        Path checkpoint = run.resolve("checkpoint.safetensors");
        Trainer trainer = Trainer.builder(model, opt, train)
                .test(test).epochs(10)
                .schedule(Schedules.step(opt, 5, 0.5))         // halve the learning rate every 5 epochs
                .clipGradNorm(5)
                .earlyStopping(3, 0)                            // stop after 3 epochs without progress
                .checkpoint(checkpoint, 500)                    // after every epoch and every 500 steps
                .curves(run)                                    // metrics.csv, and PNG charts with XChart
                .build();
        if (Files.exists(checkpoint)) trainer.resume(checkpoint);   // continue an interrupted run
        List<EpochMetrics> history = trainer.fit();
        // --- end ---
        assertTrue(history.size() >= 4, "trained several epochs: " + history.size());
        assertTrue(history.get(history.size() - 1).testAccuracy() > 0.7, history.toString());
        assertTrue(Files.exists(checkpoint) && Files.exists(run.resolve("metrics.csv")));
    }

    @Test
    void ownLoop() throws IOException {
        FashionMnist.Splits data = FashionMnist.slice();
        DataLoader train = DataLoader.builder(data.train()).batchSize(64).shuffle(true).seed(7).build();
        double[] totals = new double[2];
        for (int run = 0; run < 2; run++) {
            MyNet model = new MyNet(new Generator(42));
            Adam opt = new Adam(model.parameters(), 1e-3);
            if (run == 0) {
                // --- README, "Training", your own loop, verbatim ---
                StepMemory memory = new StepMemory();
                double total = 0;
                for (int epoch = 0; epoch < 2; epoch++) {
                    try (Epoch batches = train.epoch(epoch)) {
                        for (Batch b : batches) {
                            try (StepMemory.Step step = memory.step()) {
                                opt.zeroGrad();
                                Tensor loss = Losses.crossEntropy(model.forward(b.images()), b.labels());
                                loss.backward();
                                opt.step();
                                total += loss.item();                  // read results inside the step
                            }
                        }
                    }
                }
                // --- end ---
                totals[run] = total;
                assertTrue(memory.bytes() > 0);
            } else {
                // The same loop without the memory.
                for (int epoch = 0; epoch < 2; epoch++) {
                    try (Epoch batches = train.epoch(epoch)) {
                        for (Batch b : batches) {
                            opt.zeroGrad();
                            Tensor loss = Losses.crossEntropy(model.forward(b.images()), b.labels());
                            loss.backward();
                            opt.step();
                            totals[run] += loss.item();
                        }
                    }
                }
            }
        }
        assertTrue(Double.isFinite(totals[0]) && totals[0] > 0, "total " + totals[0]);
        assertEquals(totals[1], totals[0], "the same losses with and without the memory");
    }

    /** Step s's shard k for the data-parallel guide: 4 images and their labels. */
    private static Tensor images(int s, int k) {
        return Tensor.randn(new Generator(100L * s + k), DType.F32, 4, 1, 28, 28);
    }

    private static int[] labels(int s, int k) {
        return new int[] {(s + k) % 10, (s + 3 * k) % 10, k % 10, s % 10};
    }

    /** One rank of the data-parallel guide; returns its final weights. */
    private float[] dataParallelRank(int rank, List<InetSocketAddress> hosts) {
        // --- README, "Data-parallel training across processes", verbatim but for the rank,
        // the hosts (given) and the number of steps ---
        MyNet model = new MyNet(new Generator(42));                      // the same start on every rank
        SGD opt = new SGD(model.parameters(), 0.05, 0.9);
        try (TcpCollective.Binding binding = TcpCollective.bind(hosts.get(rank));
             Collective ranks = binding.join(rank, hosts, CollectiveOptions.of("run-7"))) {
            DataParallel dp = new DataParallel(ranks, model, 8);         // 8 shards per global batch
            for (int step = 0; step < 3; step++) {
                int s = step;
                double loss = dp.step(k -> Losses.crossEntropy(model.forward(images(s, k)), labels(s, k)));
                opt.step();                                              // the same update on every rank
            }
        }
        // --- end ---
        return model.parameters().get(0).toFloatArray();
    }

    @Test
    void dataParallel() throws Exception {
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                hosts.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), free.getLocalPort()));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> other = pool.submit(() -> dataParallelRank(1, hosts));
            float[] mine = dataParallelRank(0, hosts);
            assertArrayEquals(mine, other.get(), "both replicas end equal");
            // One rank holding all eight shards ends the same.
            MyNet model = new MyNet(new Generator(42));
            SGD opt = new SGD(model.parameters(), 0.05, 0.9);
            DataParallel dp = new DataParallel(new LocalCollective(), model, 8);
            for (int step = 0; step < 3; step++) {
                int s = step;
                dp.step(k -> Losses.crossEntropy(model.forward(images(s, k)), labels(s, k)));
                opt.step();
            }
            assertArrayEquals(model.parameters().get(0).toFloatArray(), mine, "one rank gives the same bits");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void threadsProvidersAndBlas() {
        int m = 3;
        int n = 5;
        int k = 4;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = i;
        for (int i = 0; i < b.length; i++) b[i] = 1;
        int before = Kernels.threads();
        try {
            // --- README, "Threads, providers and BLAS", verbatim ---
            Kernels.setThreads(4);                                  // the results do not change
            Kernels.Provider p = Kernels.provider();                // SCALAR or VECTOR
            try (Kernels.Scope s = Kernels.use(Kernels.Provider.SCALAR)) { /* scalar kernels on this thread */ }
            Blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);   // C (m x n) = A (m x k) B (k x n)
            float[] plain = c.clone();
            PackedMatrix w = PackedMatrix.pack(false, k, n, b, 0, n);                 // B packed once for many products
            Blas.sgemm(false, m, 1f, a, 0, k, w, 0f, c, 0, n);                       // same C, same bits, no repacking
            // --- end ---
            assertArrayEquals(plain, c);
            assertEquals(4, Kernels.threads());
            assertTrue(p == Kernels.Provider.VECTOR || !Kernels.vectorAvailable());
            assertEquals(0 + 1 + 2 + 3, c[0], 0f);
            assertEquals(8 + 9 + 10 + 11, c[2 * n + 4], 0f);
        } finally {
            Kernels.setThreads(before);
        }
    }

    @Test
    void servingGuideCapturesAModelAndACellStep() {
        Layer model = new MyNet(new Generator(3));
        float[] features = new float[784];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) Math.sin(i);
        }
        // --- README, "Serving: embedding Lanes in a service", verbatim ---
        Plan plan = Plan.capture(model, Tensor.zeros(DType.F32, 1, 784));   // its eval forward, for inputs [1, 784]
        ThreadLocal<PlanSession> sessions = ThreadLocal.withInitial(() -> plan.session(NonFinitePolicy.REJECT));
        float[] scores = sessions.get().run(features);  // the session's own array, overwritten by the next call
        // --- end ---
        model.eval();
        float[] expected;
        try (dev.lanes.autograd.NoGrad ng = dev.lanes.autograd.NoGrad.enter()) {
            expected = model.forward(Tensor.of(features, 1, 784)).toFloatArray();
        }
        // One row: the plan folds each output column in a vector lane where the eager GEMM takes
        // dot products, so the two agree to float rounding rather than bit for bit.
        float scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertArrayEquals(expected, scores, 2e-5f * scale + 1e-6f);
        float[] f32 = scores.clone();

        // --- README, BF16 weights and a parallel session, verbatim ---
        Plan compact = Plan.capture(model, CaptureOptions.defaults().withBf16Weights(true), Tensor.zeros(DType.F32, 1, 784));
        PlanSession wide = compact.parallelSession();   // one call spread over Kernels.threads()
        float[] quick = wide.run(features);
        // --- end ---
        assertArrayEquals(compact.session().run(features), quick, "a parallel session gives a plain session's bits");
        assertArrayEquals(f32, quick, 4 * 0x1p-8f * scale, "BF16 weights move the outputs by a few 2^-8 of their scale");

        LSTMCell cell = new LSTMCell(3, 5, new Generator(4));
        Tensor x = Tensor.zeros(DType.F32, 2, 3);
        Tensor h = Tensor.zeros(DType.F32, 2, 5);
        Tensor c = Tensor.zeros(DType.F32, 2, 5);
        float[] xs = {1, 2, 3, 4, 5, 6};
        float[] hs = new float[10];
        float[] cs = new float[10];
        // --- README, the several-input capture, verbatim ---
        Plan step = Plan.capture(cell, in -> {
            LstmState s = cell.forward(in[0], new LstmState(in[1], in[2]));
            return new Tensor[] {s.h(), s.c()};
        }, x, h, c);
        PlanSession session = step.session();
        session.run(new float[][] {xs, hs, cs});        // allocate the array once and refill it
        float[] hNext = session.output(0);
        // --- end ---
        cell.eval();
        LstmState eager;
        try (dev.lanes.autograd.NoGrad ng = dev.lanes.autograd.NoGrad.enter()) {
            eager = cell.forward(Tensor.of(xs, 2, 3), new LstmState(Tensor.of(hs, 2, 5), Tensor.of(cs, 2, 5)));
        }
        assertArrayEquals(eager.h().toFloatArray(), hNext);
        assertArrayEquals(eager.c().toFloatArray(), session.output(1));
    }
}
