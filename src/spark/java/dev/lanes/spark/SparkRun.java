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
            try (TcpCollective.Binding binding = TcpCollective.bind(new InetSocketAddress(0))) {
                String[] all = ctx.allGather(host + ":" + binding.address().getPort());
                List<InetSocketAddress> hosts = new ArrayList<>();
                for (String a : all) {
                    int colon = a.lastIndexOf(':');
                    hosts.add(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
                }
                List<SparkTrainer.NamedValues> state = t.worker(rank, hosts, binding, token, data);
                return CollectionConverters.asScala(List.of(state).iterator());
            }
        };
        @SuppressWarnings("unchecked")
        ClassTag<List<SparkTrainer.NamedValues>> tag = (ClassTag<List<SparkTrainer.NamedValues>>) (ClassTag<?>)
                ClassTag$.MODULE$.apply(List.class);
        Object[] results = (Object[]) parts.barrier().mapPartitions(task, false, tag).collect();
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
