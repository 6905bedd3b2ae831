package dev.lanes.spark;

import dev.lanes.distributed.TcpCollective;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.Function1;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** The Spark side of {@link SparkTrainer#fit}: partitioning, the barrier stage, the rendezvous. */
final class SparkRun {

    private SparkRun() {
    }

    /** The task of one rank: the partition's examples in, rank 0's state out. */
    private interface Task extends Function1<scala.collection.Iterator<ShardBatches.Indexed>,
            scala.collection.Iterator<List<SparkTrainer.NamedValues>>>, Serializable {
    }

    /**
     * Reads the ranks' rendezvous messages ({@code host:port checkpoint}, by rank).
     *
     * @return the ranks' addresses
     * @throws IllegalStateException when a rank resumes from another checkpoint than this one
     */
    static List<InetSocketAddress> rendezvous(String[] all, int rank, String loaded) {
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (int r = 0; r < all.length; r++) {
            String[] fields = all[r].split(" ");
            if (!fields[1].equals(loaded)) {
                throw new IllegalStateException("SparkTrainer: rank " + r + " resumes from " + describe(fields[1])
                        + ", rank " + rank + " from " + describe(loaded) + "; refusing to start");
            }
            int colon = fields[0].lastIndexOf(':');
            hosts.add(new InetSocketAddress(fields[0].substring(0, colon),
                    Integer.parseInt(fields[0].substring(colon + 1))));
        }
        return hosts;
    }

    private static String describe(String loaded) {
        return loaded.equals("none") ? "the start" : "step " + loaded.replace("/", " (checksum ") + ")";
    }

    static List<SparkTrainer.NamedValues> run(SparkTrainer t, JavaRDD<Example> examples, String token) {
        SparkConf conf = examples.context().getConf();
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalStateException("SparkTrainer: spark.dynamicAllocation.enabled is true; a barrier stage"
                    + " needs all its tasks at once, so turn dynamic allocation off for this application");
        }
        if (conf.getBoolean("spark.speculation", false)) {
            throw new IllegalStateException("SparkTrainer: spark.speculation is true; a speculative copy of a rank"
                    + " would join the ring twice, so turn speculation off for this application");
        }
        int workers = t.workers();
        int shards = t.shards();
        RDD<ShardBatches.Indexed> parts = examples.zipWithIndex()
                .mapToPair(p -> new Tuple2<>(t.rankOf((int) (p._2() % shards)), new ShardBatches.Indexed(p._2(), p._1())))
                .partitionBy(new HashPartitioner(workers))
                .values()
                .rdd();
        Task task = it -> {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            String executor = ctx.getTaskInfos()[rank].address();
            String host = executor.contains(":") ? executor.substring(0, executor.lastIndexOf(':')) : executor;
            List<ShardBatches.Indexed> data = new ArrayList<>();
            while (it.hasNext()) {
                data.add(it.next());
            }
            SparkCheckpoints.Loaded resume = t.resumePoint();
            String loaded = resume == null ? "none" : resume.step() + "/" + resume.checksum();
            try (TcpCollective.Binding binding = TcpCollective.bind(new InetSocketAddress(0))) {
                // Each rank's address and what it resumes from: every rank must start from the same state.
                String[] all = ctx.allGather(host + ":" + binding.address().getPort() + " " + loaded);
                List<InetSocketAddress> hosts = rendezvous(all, rank, loaded);
                List<SparkTrainer.NamedValues> state = t.worker(rank, hosts, binding, token, data, resume);
                return CollectionConverters.asScala(List.of(state).iterator());
            }
        };
        @SuppressWarnings("unchecked")
        ClassTag<List<SparkTrainer.NamedValues>> tag = (ClassTag<List<SparkTrainer.NamedValues>>) (ClassTag<?>)
                ClassTag$.MODULE$.apply(List.class);
        Object[] results = null;
        for (int attempt = 1; results == null; attempt++) {
            try {
                results = (Object[]) parts.barrier().mapPartitions(task, false, tag).collect();
            } catch (Exception e) { // SparkException is checked, though Scala does not declare it
                if (attempt >= t.maxAttempts()) {
                    throw new IllegalStateException("SparkTrainer: the training stage failed " + attempt + " times; the"
                            + " last failure: " + e.getMessage(), e);
                }
                System.getLogger(SparkTrainer.class.getName()).log(System.Logger.Level.WARNING,
                        "the training stage failed (attempt {0} of {1}); running it again from the newest checkpoint: {2}",
                        attempt, t.maxAttempts(), e.getMessage());
            }
        }
        for (Object r : results) {
            @SuppressWarnings("unchecked")
            List<SparkTrainer.NamedValues> state = (List<SparkTrainer.NamedValues>) r;
            if (!state.isEmpty()) {
                return state;
            }
        }
        throw new IllegalStateException("SparkTrainer: no rank returned the trained state");
    }
}
