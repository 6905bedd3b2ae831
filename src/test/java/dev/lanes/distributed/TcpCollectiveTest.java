package dev.lanes.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The TCP ring on loopback, one thread per rank: the shard-ordered sum has the single-process
 * bits for any number of ranks, broadcast and barrier work, and a rank that stops, dies or
 * belongs to another run makes the others fail within their timeouts, naming it.
 */
class TcpCollectiveTest {

    private static final CollectiveOptions FAST = CollectiveOptions.of("test-run")
            .withConnectTimeout(Duration.ofSeconds(10)).withReadTimeout(Duration.ofSeconds(10));

    /** What each rank does once connected. */
    interface RankBody<T> {
        T run(Collective c) throws Exception;
    }

    /** Runs {@code ranks} ranks joined into one ring, each on its own thread; returns their results by rank. */
    static <T> List<T> onRing(int ranks, CollectiveOptions options, RankBody<T> body) throws Exception {
        List<TcpCollective.Binding> bindings = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            TcpCollective.Binding b = TcpCollective.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            bindings.add(b);
            addresses.add(b.address());
        }
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (TcpCollective.Binding b = bindings.get(rank);
                         Collective c = b.join(rank, addresses, options)) {
                        return body.run(c);
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception cause) {
                        throw cause;
                    }
                    throw e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Segments that span several chunks of the ring, an empty one and one no shard has. */
    private static final ShardLayout LAYOUT = new ShardLayout(6, 5, 0, 150_000, 7, 3, 1);

    private static float[][] values(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] v = new float[LAYOUT.shards()][LAYOUT.length()];
        for (float[] shard : v) {
            for (int i = 0; i < shard.length; i++) {
                // Magnitudes far apart, so that another order of the additions gives other bits.
                shard[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
            }
        }
        return v;
    }

    private static boolean[][] present() {
        boolean[][] p = new boolean[LAYOUT.shards()][LAYOUT.segments()];
        for (int s = 0; s < p.length; s++) {
            for (int i = 0; i < LAYOUT.segments(); i++) {
                // Segment 3 starts at shard 2, segment 4 skips shards 1 and 4, segment 5 is in no shard.
                p[s][i] = i == 3 ? s >= 2 : i == 4 ? s != 1 && s != 4 : i != 5;
            }
        }
        return p;
    }

    /** The single-process sum, written out: copy the first contributor, add the others in order. */
    private static float[] inOrder(float[][] v, boolean[][] p, int[] order) {
        float[] out = new float[LAYOUT.length()];
        for (int i = 0; i < LAYOUT.segments(); i++) {
            boolean seen = false;
            for (int s : order) {
                if (!p[s][i]) {
                    continue;
                }
                for (int j = LAYOUT.start(i); j < LAYOUT.start(i + 1); j++) {
                    out[j] = seen ? out[j] + v[s][j] : v[s][j];
                }
                seen = true;
            }
        }
        return out;
    }

    @Test
    void theShardOrderedSumHasTheSingleProcessBitsForAnyNumberOfRanks() throws Exception {
        float[][] v = values(11);
        boolean[][] p = present();
        float[] expected = inOrder(v, p, new int[] {0, 1, 2, 3, 4, 5});
        // The check can tell orders apart: the same shards added in another order differ somewhere.
        float[] reversed = inOrder(v, p, new int[] {5, 4, 3, 2, 1, 0});
        assertTrue(!java.util.Arrays.equals(expected, reversed), "the values must be order-sensitive");
        boolean[] expectedFlags = {true, true, true, true, true, false};

        float[] local = new float[LAYOUT.length()];
        boolean[] localFlags = new boolean[LAYOUT.segments()];
        new LocalCollective().sumShards(LAYOUT, v, p, local, localFlags);
        assertArrayEquals(expected, local);
        assertArrayEquals(expectedFlags, localFlags);

        for (int ranks = 1; ranks <= 4; ranks++) {
            List<float[]> outs = onRing(ranks, FAST, c -> {
                int first = LAYOUT.firstShard(c.rank(), c.size());
                int last = LAYOUT.firstShard(c.rank() + 1, c.size());
                float[] out = new float[LAYOUT.length()];
                java.util.Arrays.fill(out, Float.NaN); // every value must be written
                boolean[] flags = new boolean[LAYOUT.segments()];
                c.sumShards(LAYOUT, java.util.Arrays.copyOfRange(v, first, last),
                        java.util.Arrays.copyOfRange(p, first, last), out, flags);
                assertArrayEquals(expectedFlags, flags, "rank " + c.rank() + " of " + c.size());
                return out;
            });
            for (int r = 0; r < ranks; r++) {
                assertArrayEquals(expected, outs.get(r), "rank " + r + " of " + ranks);
            }
        }
    }

    @Test
    void broadcastAndBarrierReachEveryRank() throws Exception {
        List<float[]> got = onRing(3, FAST, c -> {
            float[] data = new float[100_000];
            if (c.rank() == 1) {
                for (int i = 0; i < data.length; i++) {
                    data[i] = i * 0.5f;
                }
            }
            c.broadcast(data, 1);
            c.barrier();
            c.barrier();
            return data;
        });
        for (float[] data : got) {
            assertEquals(0.5f * 99_999, data[99_999]);
            assertEquals(0.5f * 7, data[7]);
        }
    }

    @Test
    void aFoldPassesThroughTheRanksInRankOrder() throws Exception {
        for (int ranks = 1; ranks <= 3; ranks++) {
            List<float[]> got = onRing(ranks, FAST, c -> {
                float[] state = {c.rank() == 0 ? 1 : -7, 0}; // only rank 0's start counts
                c.foldInRankOrder(state, s -> {
                    s[0] = s[0] * 10 + c.rank() + 1;
                    s[1]++;
                });
                return state;
            });
            float expected = 1;
            for (int r = 0; r < ranks; r++) {
                expected = expected * 10 + r + 1;
            }
            for (float[] state : got) {
                assertArrayEquals(new float[] {expected, ranks}, state, ranks + " ranks");
            }
        }
    }

    @Test
    void aRankThatStopsAnsweringFailsTheOthersWithinTheTimeout() throws Exception {
        CollectiveOptions quick = FAST.withReadTimeout(Duration.ofMillis(700));
        long start = System.nanoTime();
        List<Object> results = onRing(2, quick, c -> {
            if (c.rank() == 1) {
                Thread.sleep(4000); // alive, but never takes part
                return null;
            }
            return assertThrows(CollectiveException.class, () -> c.sumShards(LAYOUT, new float[3][LAYOUT.length()],
                    new boolean[3][LAYOUT.segments()], new float[LAYOUT.length()], new boolean[LAYOUT.segments()]));
        });
        CollectiveException e = (CollectiveException) results.get(0);
        assertTrue(e.getMessage().contains("made no progress") && e.getMessage().contains("rank 1"), e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofMillis(4000 + 3000).toNanos());
    }

    @Test
    void aRankThatDiesFailsTheOthersAtOnce() throws Exception {
        List<Object> results = onRing(3, FAST, c -> {
            if (c.rank() == 2) {
                c.close(); // its connections go down
                return null;
            }
            long start = System.nanoTime();
            CollectiveException e = assertThrows(CollectiveException.class, c::barrier);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "failed within the timeout");
            return e;
        });
        String m0 = ((CollectiveException) results.get(0)).getMessage();
        assertTrue(m0.contains("rank 2") && m0.contains("closed"), m0);
        assertTrue(((CollectiveException) results.get(1)).getMessage().contains("barrier"));
    }

    @Test
    void anotherRunIsRefusedAndAMissingRankTimesOut() throws Exception {
        Duration wait = Duration.ofMillis(1500);
        try (TcpCollective.Binding a = TcpCollective.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TcpCollective.Binding b = TcpCollective.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            List<InetSocketAddress> both = List.of(a.address(), b.address());
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> other = pool.submit(() -> assertThrows(CollectiveException.class,
                        () -> b.join(1, both, CollectiveOptions.of("another-run").withConnectTimeout(wait))));
                CollectiveException e = assertThrows(CollectiveException.class,
                        () -> a.join(0, both, CollectiveOptions.of("this-run").withConnectTimeout(wait)));
                assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
                other.get();
            } finally {
                pool.shutdownNow();
            }
        }
        try (TcpCollective.Binding a = TcpCollective.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TcpCollective.Binding gone = TcpCollective.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            List<InetSocketAddress> both = List.of(a.address(), gone.address());
            gone.close();
            long start = System.nanoTime();
            CollectiveException e = assertThrows(CollectiveException.class,
                    () -> a.join(0, both, CollectiveOptions.of("run").withConnectTimeout(wait)));
            assertTrue(e.getMessage().contains("rank 1") && e.getMessage().contains("within"), e.getMessage());
            assertTrue(System.nanoTime() - start < wait.toNanos() + Duration.ofSeconds(3).toNanos());
        }
    }

    @Test
    void argumentsAreChecked() {
        try (LocalCollective c = new LocalCollective()) {
            float[] out = new float[LAYOUT.length()];
            boolean[] flags = new boolean[LAYOUT.segments()];
            assertThrows(IllegalArgumentException.class,
                    () -> c.sumShards(LAYOUT, new float[5][LAYOUT.length()], new boolean[5][LAYOUT.segments()], out,
                            flags));
            assertThrows(IllegalArgumentException.class,
                    () -> c.sumShards(LAYOUT, new float[6][3], new boolean[6][LAYOUT.segments()], out, flags));
            assertThrows(IllegalArgumentException.class, () -> c.broadcast(out, 1));
        }
        assertThrows(IllegalArgumentException.class, () -> LAYOUT.firstShard(0, 7));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new ShardLayout(2, 3, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new CollectiveOptions(Duration.ZERO, Duration.ofSeconds(1), "t"));
        assertThrows(IllegalArgumentException.class, () -> CollectiveOptions.of(""));
    }
}
