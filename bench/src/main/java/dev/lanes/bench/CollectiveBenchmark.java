package dev.lanes.bench;

import dev.lanes.autograd.Losses;
import dev.lanes.distributed.Collective;
import dev.lanes.distributed.CollectiveOptions;
import dev.lanes.distributed.DataParallel;
import dev.lanes.distributed.LocalCollective;
import dev.lanes.distributed.ShardLayout;
import dev.lanes.distributed.TcpCollective;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Layer;
import dev.lanes.nn.models.ResNets;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Data parallelism on one machine, ranks as threads on loopback TCP: the shard-ordered sum of
 * {@code floats} values over two ranks (272k is ResNet-20's parameter count, 25.6M ResNet-50's),
 * and a ResNet-20 training step (3x32x32, global batch 64 in two shards) on one worker holding
 * both shards or two workers holding one each, every worker computing on its own thread.
 * Rank 0 runs in the benchmark thread; the others repeat the same calls on their own threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class CollectiveBenchmark {

    /** Values summed. */
    @Param({"272000", "25600000"})
    public int floats;

    /** Workers of the training step. */
    @Param({"1", "2"})
    public int workers;

    private final List<Thread> others = new ArrayList<>();
    private final List<Collective> collectives = new ArrayList<>();
    private volatile boolean stopping;
    private Rank zero;

    /** One rank's state: the sum's inputs and the training replica. */
    private final class Rank {
        final Collective c;
        final ShardLayout layout = new ShardLayout(2, floats);
        final float[][] values;
        final boolean[][] present;
        final float[] out = new float[floats];
        final boolean[] outPresent = new boolean[1];
        final Layer net = ResNets.resnet20(3, 10, new Generator(1));
        final Optimizer opt = new SGD(net.parameters(), 0.01, 0.9);
        final DataParallel dp;
        final Tensor[] images = new Tensor[2];
        final int[][] labels = new int[2][32];

        Rank(Collective c) {
            this.c = c;
            int own = layout.firstShard(c.rank() + 1, c.size()) - layout.firstShard(c.rank(), c.size());
            values = new float[own][floats];
            present = new boolean[own][1];
            for (boolean[] p : present) {
                p[0] = true;
            }
            dp = new DataParallel(c, net, 2);
            for (int k = 0; k < 2; k++) {
                images[k] = Tensor.randn(new Generator(10 + k), DType.F32, 32, 3, 32, 32);
                for (int i = 0; i < 32; i++) {
                    labels[k][i] = (i + k) % 10;
                }
            }
        }

        void sum() {
            c.sumShards(layout, values, present, out, outPresent);
        }

        void step() {
            dp.step(k -> Losses.crossEntropy(net.forward(images[k]), labels[k]));
            opt.step();
        }
    }

    /** Connects the ranks; the others start repeating the benchmark's calls. */
    @Setup(Level.Trial)
    public void setUp(org.openjdk.jmh.infra.BenchmarkParams params) throws Exception {
        Kernels.setThreads(1);
        boolean training = params.getBenchmark().endsWith("trainStep");
        int ranks = training ? workers : 2;
        if (ranks == 1) {
            zero = new Rank(new LocalCollective());
            return;
        }
        List<TcpCollective.Binding> bindings = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            bindings.add(TcpCollective.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            addresses.add(bindings.get(r).address());
        }
        CollectiveOptions options = CollectiveOptions.of("bench").withReadTimeout(Duration.ofMinutes(10));
        for (int r = 1; r < ranks; r++) {
            int rank = r;
            Thread t = new Thread(() -> {
                try (Collective c = bindings.get(rank).join(rank, addresses, options)) {
                    collectives.add(c);
                    Rank me = new Rank(c);
                    while (!stopping) {
                        if (training) {
                            me.step();
                        } else {
                            me.sum();
                        }
                    }
                } catch (RuntimeException e) {
                    if (!stopping) {
                        throw e;
                    }
                }
            }, "rank-" + r);
            t.start();
            others.add(t);
        }
        Collective c = bindings.get(0).join(0, addresses, options);
        collectives.add(c);
        zero = new Rank(c);
        for (TcpCollective.Binding b : bindings) {
            b.close();
        }
    }

    /** Stops the other ranks: closing rank 0's connections ends their pending calls. */
    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        stopping = true;
        zero.c.close();
        for (Thread t : others) {
            t.join(60_000);
        }
        Kernels.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** @return a value of the sum */
    @Benchmark
    public float sumShards() {
        zero.sum();
        return zero.out[floats - 1];
    }

    /** @return a weight after one data-parallel ResNet-20 step */
    @Benchmark
    public double trainStep() {
        zero.step();
        return zero.net.parameters().get(0).getFlat(0);
    }
}
