package dev.lanes.spark;

import dev.lanes.distributed.Collective;
import dev.lanes.distributed.CollectiveOptions;
import dev.lanes.distributed.DataParallel;
import dev.lanes.distributed.LocalCollective;
import dev.lanes.distributed.TcpCollective;
import dev.lanes.nn.Layer;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Data-parallel training on Apache Spark: one barrier stage for the whole run, every task a
 * rank with a full replica of the model, the ranks connected by a {@link TcpCollective} and the
 * gradients combined by {@link DataParallel}. The result is the same bits for any number of
 * workers, and equals {@link #fitLocally} (one process, no Spark).
 *
 * <pre>{@code
 * SparkTrainer trainer = SparkTrainer.builder(() -> new MyNet(new Generator(42)),
 *                 model -> new SGD(model.parameters(), 0.05, 0.9))
 *         .inputShape(1, 28, 28).shards(8).globalBatch(64).epochs(2).workers(2).build();
 * Map<String, Tensor> state = trainer.fit(examples);      // a JavaRDD<Example>, on the driver
 * }</pre>
 *
 * <p>The data: example {@code i} of the input (in the RDD's order) belongs to logical shard
 * {@code i mod shards} for the whole run ({@link ShardBatches}); each worker holds its shards'
 * examples, and each shard reshuffles its own examples every epoch with the run's seed. A global
 * step takes {@code globalBatch / shards} examples from every shard; an epoch has as many steps as
 * the smallest shard allows.
 *
 * <p>Faults: with {@link Builder#checkpoint}, rank 0 saves the run every few steps; when a task
 * fails (a lost executor, say) the stage fails, and {@link #fit} runs it again (up to
 * {@link Builder#maxAttempts}), every rank resuming from the newest checkpoint. The ranks compare
 * the step and checksum of what they loaded and refuse to start when they differ. A resumed run
 * ends with the bits of an uninterrupted one.
 *
 * <p>Spark must run the stage's tasks at once: dynamic allocation and speculation are refused,
 * and the cluster needs a free slot per worker. Needs Spark 4.2 or newer on the class path
 * ({@code spark-submit} provides it); without it {@link #builder} says so.
 */
public final class SparkTrainer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ModelFactory model;
    private final OptimizerFactory optimizer;
    private final ShardLoss loss;
    private final int[] inputShape;
    private final int shards;
    private final int globalBatch;
    private final int epochs;
    private final int workers;
    private final long seed;
    private final long connectMillis;
    private final long readMillis;
    private final String checkpointDir;
    private final int checkpointEvery;
    private final int maxAttempts;

    private SparkTrainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.inputShape = b.inputShape.clone();
        this.shards = b.shards;
        this.globalBatch = b.globalBatch;
        this.epochs = b.epochs;
        this.workers = b.workers;
        this.seed = b.seed;
        this.connectMillis = b.connectTimeout.toMillis();
        this.readMillis = b.readTimeout.toMillis();
        this.checkpointDir = b.checkpointDir;
        this.checkpointEvery = b.checkpointEvery;
        this.maxAttempts = b.maxAttempts;
    }

    /**
     * @param model     builds each worker's replica; every call must give the same weights
     * @param optimizer builds the optimizer over a replica
     * @return a builder (cross entropy, 1 worker, shards = workers, seed 0 until changed)
     * @throws IllegalStateException when Apache Spark is not on the class path
     */
    public static Builder builder(ModelFactory model, OptimizerFactory optimizer) {
        SparkPresence.require();
        return new Builder(model, optimizer);
    }

    /** Settings of a {@link SparkTrainer}; each has a default but the input shape. */
    public static final class Builder {
        private final ModelFactory model;
        private final OptimizerFactory optimizer;
        private ShardLoss loss = ShardLoss.crossEntropy();
        private int[] inputShape;
        private int shards;
        private int globalBatch = 64;
        private int epochs = 1;
        private int workers = 1;
        private long seed;
        private Duration connectTimeout = Duration.ofMinutes(2);
        private Duration readTimeout = Duration.ofMinutes(5);
        private String checkpointDir;
        private int checkpointEvery;
        private int maxAttempts = 3;

        private Builder(ModelFactory model, OptimizerFactory optimizer) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        }

        /** @return this, with the loss of a shard's micro-batch (default cross entropy) */
        public Builder loss(ShardLoss l) {
            this.loss = Objects.requireNonNull(l, "loss");
            return this;
        }

        /** @return this, with the shape of one example's features (required) */
        public Builder inputShape(int... dims) {
            for (int d : dims) {
                if (d < 1) {
                    throw new IllegalArgumentException("SparkTrainer: input sizes must be >= 1, got "
                            + Arrays.toString(dims));
                }
            }
            this.inputShape = dims.clone();
            return this;
        }

        /** @return this, with the logical shards per global batch (default: the worker count) */
        public Builder shards(int k) {
            this.shards = k;
            return this;
        }

        /** @return this, with the examples per global step, a multiple of the shard count (default 64) */
        public Builder globalBatch(int n) {
            this.globalBatch = n;
            return this;
        }

        /** @return this, with the passes over the data (default 1) */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /** @return this, with the Spark tasks (ranks) of the barrier stage (default 1) */
        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /** @return this, with the seed of the shards' shuffles (default 0) */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** @return this, with the collective's connect and read timeouts */
        public Builder timeouts(Duration connect, Duration read) {
            this.connectTimeout = Objects.requireNonNull(connect, "connect");
            this.readTimeout = Objects.requireNonNull(read, "read");
            return this;
        }

        /**
         * Checkpoints: rank 0 saves the model, the optimizer and the step every {@code everySteps}
         * global steps, atomically, in {@code dir} (a local path or any file system URI Hadoop can
         * write, such as {@code hdfs://...}); a run resumes from the newest one found there.
         *
         * @return this
         */
        public Builder checkpoint(String dir, int everySteps) {
            if (everySteps < 1) {
                throw new IllegalArgumentException("SparkTrainer: checkpoint every >= 1 steps, got " + everySteps);
            }
            this.checkpointDir = Objects.requireNonNull(dir, "dir");
            this.checkpointEvery = everySteps;
            return this;
        }

        /**
         * @return this, with how many times {@link SparkTrainer#fit} runs the barrier stage before
         *         it gives up (default 3); each attempt resumes from the newest checkpoint
         */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("SparkTrainer: maxAttempts must be >= 1, got " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        /**
         * @return the trainer
         * @throws IllegalArgumentException on a missing input shape, or counts that do not fit
         *                                  (fewer shards than workers, a batch that is not a
         *                                  multiple of the shards)
         */
        public SparkTrainer build() {
            if (inputShape == null) {
                throw new IllegalArgumentException("SparkTrainer: set the input shape of one example");
            }
            if (workers < 1 || epochs < 1 || globalBatch < 1) {
                throw new IllegalArgumentException("SparkTrainer: workers, epochs and the global batch must be >= 1,"
                        + " got " + workers + ", " + epochs + " and " + globalBatch);
            }
            if (shards == 0) {
                shards = workers;
            }
            if (shards < workers || globalBatch % shards != 0) {
                throw new IllegalArgumentException("SparkTrainer: need at least as many shards as workers and a"
                        + " global batch that is a multiple of the shards, got " + shards + " shards, " + workers
                        + " workers and a batch of " + globalBatch);
            }
            new CollectiveOptions(connectTimeout, readTimeout, "check"); // validates the timeouts
            return new SparkTrainer(this);
        }
    }

    /**
     * Trains on one process with every shard, no Spark: the run {@link #fit} reproduces.
     *
     * @param examples the data, in order (example {@code i} is the RDD's {@code i}th)
     * @return the trained model's state dict
     */
    public Map<String, Tensor> fitLocally(List<Example> examples) {
        Map<Integer, List<ShardBatches.Indexed>> byShard = new HashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            byShard.computeIfAbsent(i % shards, k -> new ArrayList<>()).add(new ShardBatches.Indexed(i,
                    examples.get(i)));
        }
        return train(new LocalCollective(), byShard, 0, shards, null, false).stateDict();
    }

    /** @return the rank holding {@code shard}: ranks hold contiguous runs of shards, as in ShardLayout */
    int rankOf(int shard) {
        int r = 0;
        while ((long) shards * (r + 1) / workers <= shard) {
            r++;
        }
        return r;
    }

    /**
     * The run on one rank: its shards' batches, {@link DataParallel} over {@code c}.
     *
     * @param byShard the examples of this rank's shards, by shard
     */
    Layer train(Collective c, Map<Integer, List<ShardBatches.Indexed>> byShard, int firstShard, int endShard,
                SparkCheckpoints.Loaded resume, boolean save) {
        Layer net = model.create();
        net.train();
        Optimizer opt = optimizer.create(net);
        DataParallel dp = new DataParallel(c, net, shards);
        List<Generator> generators = dp.generators();
        long start = 0;
        if (resume != null) {
            if (resume.generators().length != generators.size()) {
                throw new IllegalStateException("SparkTrainer: the checkpoint holds " + resume.generators().length
                        + " generator states, the model has " + generators.size() + " dropout generators");
            }
            net.loadStateDict(resume.model());
            opt.loadStateDict(resume.optimizer());
            for (int i = 0; i < generators.size(); i++) {
                generators.get(i).restore(resume.generators()[i]);
            }
            start = resume.step();
        }
        SparkCheckpoints checkpoints = save ? new SparkCheckpoints(checkpointDir) : null;
        int perShard = globalBatch / shards;
        Map<Integer, ShardBatches> mine = new HashMap<>();
        long[] steps = {Long.MAX_VALUE};
        for (int k = firstShard; k < endShard; k++) {
            ShardBatches b = new ShardBatches(k, byShard.getOrDefault(k, List.of()), inputShape);
            mine.put(k, b);
            steps[0] = Math.min(steps[0], b.steps(perShard));
        }
        // Every rank must run the same number of steps: the smallest shard anywhere decides.
        float[] fewest = {steps[0]};
        c.foldInRankOrder(fewest, s -> s[0] = Math.min(s[0], steps[0]));
        int stepsPerEpoch = (int) fewest[0];
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("SparkTrainer: a shard has fewer than " + perShard
                    + " examples, one micro-batch");
        }
        for (int e = 0; e < epochs; e++) {
            Map<Integer, List<Example>> order = new HashMap<>();
            for (Map.Entry<Integer, ShardBatches> m : mine.entrySet()) {
                order.put(m.getKey(), m.getValue().epoch(seed, e, shards));
            }
            for (int t = 0; t < stepsPerEpoch; t++) {
                long global = (long) e * stepsPerEpoch + t;
                if (global < start) {
                    continue; // done before the checkpoint this run resumed from
                }
                int from = t * perShard;
                dp.step(k -> {
                    List<Example> o = order.get(k);
                    return loss.apply(net, mine.get(k).inputs(o, from, perShard),
                            ShardBatches.labels(o, from, perShard));
                });
                opt.step();
                if (checkpoints != null && (global + 1) % checkpointEvery == 0) {
                    long[] states = generators.stream().mapToLong(Generator::state).toArray();
                    checkpoints.save(global + 1, net.stateDict(), opt.stateDict(), states);
                }
            }
        }
        return net;
    }

    /** A tensor of a state dict, as the driver receives it. */
    record NamedValues(String name, int[] shape, float[] values) implements Serializable {
    }

    static List<NamedValues> export(Layer net) {
        List<NamedValues> out = new ArrayList<>();
        net.stateDict().forEach((k, t) -> out.add(new NamedValues(k, t.dims(), t.to(DType.F32).toFloatArray())));
        return out;
    }

    static Map<String, Tensor> restore(List<NamedValues> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (NamedValues v : state) {
            out.put(v.name(), Tensor.of(v.values(), v.shape()));
        }
        return out;
    }

    /** @return the worker count */
    public int workers() {
        return workers;
    }

    /** @return the logical shards per global batch */
    public int shards() {
        return shards;
    }

    /**
     * Trains on Spark: the examples are partitioned by rank once, then one barrier stage runs
     * the whole training, and rank 0's final state dict comes back to the driver.
     *
     * @param examples the data; example {@code i} is the RDD's {@code i}th
     * @return the trained model's state dict
     * @throws IllegalStateException when the Spark configuration enables dynamic allocation or
     *                               speculation, which a barrier stage cannot run under
     */
    public Map<String, Tensor> fit(org.apache.spark.api.java.JavaRDD<Example> examples) {
        return restore(SparkRun.run(this, examples, UUID.randomUUID().toString()));
    }

    CollectiveOptions options(String token) {
        return new CollectiveOptions(Duration.ofMillis(connectMillis), Duration.ofMillis(readMillis), token);
    }

    /** @return the newest checkpoint to resume from, or null (none, or no checkpoint directory) */
    SparkCheckpoints.Loaded resumePoint() {
        return checkpointDir == null ? null : new SparkCheckpoints(checkpointDir).latest();
    }

    /** @return how many times {@link #fit} runs the stage before giving up */
    int maxAttempts() {
        return maxAttempts;
    }

    /** @return what a worker returns: rank 0's state, nothing from the others */
    List<NamedValues> worker(int rank, List<InetSocketAddress> hosts, TcpCollective.Binding binding, String token,
                             List<ShardBatches.Indexed> data, SparkCheckpoints.Loaded resume) {
        Map<Integer, List<ShardBatches.Indexed>> byShard = new HashMap<>();
        for (ShardBatches.Indexed e : data) {
            byShard.computeIfAbsent((int) (e.index() % shards), k -> new ArrayList<>()).add(e);
        }
        int first = (int) ((long) shards * rank / workers);
        int end = (int) ((long) shards * (rank + 1) / workers);
        try (Collective c = binding.join(rank, hosts, options(token))) {
            Layer net = train(c, byShard, first, end, resume, rank == 0 && checkpointDir != null);
            return rank == 0 ? export(net) : List.of();
        }
    }
}
