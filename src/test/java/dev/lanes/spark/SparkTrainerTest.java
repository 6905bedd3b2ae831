package dev.lanes.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.optim.Adam;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark {@code local[2]}: a barrier stage of one or two workers trains an MLP and a ResNet-8 to
 * the bits of the one-process run, and the trainer refuses what it cannot run under.
 */
class SparkTrainerTest {

    /** An MLP for 5 features and 4 classes. */
    static final class Mlp extends Layer {
        private final Linear fc1;
        private final Linear fc2;

        Mlp() {
            Generator gen = new Generator(9);
            fc1 = registerModule("fc1", new Linear(5, 12, true, DType.F32, gen));
            fc2 = registerModule("fc2", new Linear(12, 4, true, DType.F32, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(Ops.relu(fc1.forward(x)));
        }
    }

    /** The MLP with dropout between its layers (so checkpoints must carry the generator). */
    static final class DropoutMlp extends Layer {
        private final Linear fc1;
        private final Dropout drop;
        private final Linear fc2;

        DropoutMlp() {
            Generator gen = new Generator(9);
            fc1 = registerModule("fc1", new Linear(5, 12, true, DType.F32, gen));
            drop = registerModule("drop", new Dropout(0.25, new Generator(10)));
            fc2 = registerModule("fc2", new Linear(12, 4, true, DType.F32, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(drop.forward(Ops.relu(fc1.forward(x))));
        }
    }

    private static List<Example> examples(int n, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = new float[size];
            for (int j = 0; j < size; j++) {
                f[j] = (float) r.nextGaussian();
            }
            out.add(new Example(f, r.nextInt(4)));
        }
        return out;
    }

    private static JavaSparkContext spark(SparkConf extra) {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("lanes-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        for (var e : extra.getAll()) {
            conf.set(e._1(), e._2());
        }
        return new JavaSparkContext(conf);
    }

    private static void assertSameState(Map<String, Tensor> expected, Map<String, Tensor> got, String what) {
        assertEquals(expected.keySet(), got.keySet(), what);
        expected.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), got.get(k).toFloatArray(), what + ": " + k));
    }

    @Test
    void oneOrTwoWorkersGiveTheBitsOfOneProcess() {
        List<Example> vectors = examples(48, 5, 1);
        List<Example> images = examples(32, 3 * 8 * 8, 2);
        try (JavaSparkContext sc = spark(new SparkConf())) {
            for (int workers = 1; workers <= 2; workers++) {
                SparkTrainer mlp = SparkTrainer.builder(Mlp::new, m -> new SGD(m.parameters(), 0.1, 0.9))
                        .inputShape(5).shards(4).globalBatch(8).epochs(2).workers(workers).seed(3)
                        .timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60)).build();
                Map<String, Tensor> local = mlp.fitLocally(vectors);
                assertSameState(local, mlp.fit(sc.parallelize(vectors, 3)), "MLP, " + workers + " workers");

                SparkTrainer resnet = SparkTrainer.builder(
                                () -> ResNets.cifar(8, 3, 4, Shortcut.ZERO_PAD, true, DType.F32, new Generator(5)),
                                m -> new Adam(m.parameters(), 1e-3))
                        .inputShape(3, 8, 8).shards(4).globalBatch(8).workers(workers).seed(4)
                        .timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60)).build();
                Map<String, Tensor> localNet = resnet.fitLocally(images);
                assertEquals(4.0, localNet.get("bn1.num_batches_tracked").item() / 4, "four steps of four shards");
                assertSameState(localNet, resnet.fit(sc.parallelize(images, 2)), "ResNet-8, " + workers + " workers");
            }
        }
    }

    /** The README's model. */
    static final class MyNet extends Layer {
        private final Linear fc1;
        private final Linear fc2;

        MyNet(Generator gen) {
            fc1 = registerModule("fc1", new Linear(28 * 28, 128, gen));
            fc2 = registerModule("fc2", new Linear(128, 10, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor flat = Ops.reshape(x, x.size(0), 28 * 28);
            return fc2.forward(Ops.relu(fc1.forward(flat)));
        }
    }

    @Test
    void theReadmeGuide() {
        List<Example> data = examples(128, 28 * 28, 5);
        try (JavaSparkContext sc = spark(new SparkConf())) {
            // --- README, "On Apache Spark", verbatim ---
            JavaRDD<Example> examples = sc.parallelize(data, 8);             // Example(float[] features, int label)
            SparkTrainer trainer = SparkTrainer.builder(() -> new MyNet(new Generator(42)),
                            m -> new SGD(m.parameters(), 0.05, 0.9))
                    .inputShape(1, 28, 28).shards(8).globalBatch(64).epochs(2).workers(2).build();
            Map<String, Tensor> state = trainer.fit(examples);              // rank 0's weights, on the driver
            // --- end ---
            assertSameState(trainer.fitLocally(data), state, "README");
        }
    }

    /** Loss calls across both ranks of the run below, and whether it has failed yet. */
    static final AtomicInteger CALLS = new AtomicInteger();
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /**
     * A task that fails mid-run (as a lost executor would) fails the stage; the trainer runs it
     * again, every rank resumes from the newest checkpoint, and the run ends with the bits of an
     * uninterrupted one, having redone only the steps after that checkpoint.
     */
    @Test
    void aFailedTaskResumesFromTheCheckpointToTheBitsOfAnUninterruptedRun(@TempDir Path dir) {
        List<Example> vectors = examples(48, 5, 1);
        ShardLoss flaky = (model, x, y) -> {
            // 4 shards, 12 steps: call 30 is in step 8, after the checkpoint of step 6.
            if (CALLS.incrementAndGet() == 30 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("a task fails mid-run");
            }
            return ShardLoss.crossEntropy().apply(model, x, y);
        };
        SparkTrainer trainer = SparkTrainer.builder(DropoutMlp::new, m -> new Adam(m.parameters(), 1e-2))
                .loss(flaky).inputShape(5).shards(4).globalBatch(8).epochs(2).workers(2).seed(3)
                .checkpoint(dir.toUri().toString(), 2)
                .timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60)).build();
        FAILED.set(true); // no failure in the reference run
        Map<String, Tensor> uninterrupted = trainer.fitLocally(vectors);
        FAILED.set(false);
        CALLS.set(0);
        try (JavaSparkContext sc = spark(new SparkConf())) {
            assertSameState(uninterrupted, trainer.fit(sc.parallelize(vectors, 2)), "resumed run");
        }
        assertTrue(FAILED.get(), "a task failed");
        // 28 calls for steps 1-7, up to 4 in step 8 (one fails), then steps 7-12 again: 24. A run
        // started again from scratch would make 48 more instead.
        assertTrue(CALLS.get() >= 54 && CALLS.get() <= 56, "resumed from step 6, " + CALLS.get() + " calls");
        assertTrue(new java.io.File(dir.toFile(), String.format("step-%012d.safetensors", 12)).isFile());
    }

    @Test
    void aCheckpointThatDoesNotMatchItsChecksumIsRefused(@TempDir Path dir) throws Exception {
        SparkCheckpoints store = new SparkCheckpoints(dir.toUri().toString());
        assertEquals(null, store.latest());
        Map<String, Tensor> model = Map.of("w", Tensor.of(new float[] {1, 2}, 2));
        store.save(4, model, Map.of(), new long[] {7});
        assertEquals(4, store.latest().step());
        assertArrayEquals(new long[] {7}, store.latest().generators());
        assertArrayEquals(new float[] {1, 2}, store.latest().model().get("w").toFloatArray());
        dev.lanes.io.SafeTensors.write(dir.resolve("step-000000000006.safetensors"),
                Map.of("model.w", Tensor.of(new float[] {1, 3}, 2)),
                Map.of("lanes.spark.step", "6", "lanes.spark.checksum",
                        Long.toString(SparkCheckpoints.checksum(model, Map.of(), new long[0]))));
        IllegalStateException e = assertThrows(IllegalStateException.class, store::latest);
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    /** Ranks that loaded different checkpoints refuse to start, naming both. */
    @Test
    void ranksResumingFromDifferentCheckpointsRefuseToStart() {
        List<InetSocketAddress> hosts = SparkRun.rendezvous(new String[] {"127.0.0.1:1 6/99", "127.0.0.2:2 6/99"}, 1,
                "6/99");
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.2", 2)), hosts);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparkRun.rendezvous(new String[] {"127.0.0.1:1 6/99", "127.0.0.2:2 4/12"}, 1, "4/12"));
        assertTrue(e.getMessage().contains("rank 0 resumes from step 6 (checksum 99)")
                && e.getMessage().contains("rank 1 from step 4 (checksum 12)"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> SparkRun.rendezvous(new String[] {"127.0.0.1:1 none", "127.0.0.2:2 4/12"}, 1, "4/12"));
        assertTrue(e.getMessage().contains("rank 0 resumes from the start"), e.getMessage());
    }

    @Test
    void speculationAndDynamicAllocationAreRefused() {
        SparkTrainer t = SparkTrainer.builder(Mlp::new, m -> new SGD(m.parameters(), 0.1)).inputShape(5).shards(2)
                .globalBatch(4).build();
        for (String key : new String[] {"spark.speculation", "spark.dynamicAllocation.enabled"}) {
            try (JavaSparkContext sc = spark(new SparkConf().set(key, "true"))) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> t.fit(sc.parallelize(examples(8, 5, 3))));
                assertTrue(e.getMessage().contains(key), e.getMessage());
            }
        }
    }

    @Test
    void countsThatDoNotFitAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> SparkTrainer.builder(Mlp::new, m -> new SGD(m.parameters(), 0.1)).shards(2).build());
        assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder(Mlp::new,
                m -> new SGD(m.parameters(), 0.1)).inputShape(5).workers(3).shards(2).build());
        assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder(Mlp::new,
                m -> new SGD(m.parameters(), 0.1)).inputShape(5).shards(4).globalBatch(6).build());
        SparkTrainer tooFew = SparkTrainer.builder(Mlp::new, m -> new SGD(m.parameters(), 0.1)).inputShape(5)
                .shards(4).globalBatch(16).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tooFew.fitLocally(examples(12, 5, 4)));
        assertTrue(e.getMessage().contains("fewer than 4"), e.getMessage());
    }

    /** Loaded where Spark is absent, the builder says what is missing instead of failing to link. */
    @Test
    void withoutSparkTheBuilderSaysWhatIsMissing() throws Exception {
        URL lanes = Path.of("target/classes").toUri().toURL();
        URL adapter = Path.of("target/test-classes").toUri().toURL();
        try (URLClassLoader noSpark = new URLClassLoader(new URL[] {lanes, adapter},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> trainer = noSpark.loadClass(SparkTrainer.class.getName());
            Class<?> model = noSpark.loadClass(ModelFactory.class.getName());
            Class<?> optimizer = noSpark.loadClass(OptimizerFactory.class.getName());
            // Resolved as a compiled call to builder is (reflection would resolve every method's types).
            MethodHandle builder = MethodHandles.publicLookup().findStatic(trainer, "builder",
                    MethodType.methodType(noSpark.loadClass(SparkTrainer.Builder.class.getName()), model, optimizer));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.invoke(null, null));
            assertTrue(e.getMessage().contains("Apache Spark") && e.getMessage().contains("spark-submit"),
                    e.getMessage());
        }
    }
}
