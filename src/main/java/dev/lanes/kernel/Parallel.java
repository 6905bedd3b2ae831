package dev.lanes.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of worker threads shared by all kernels.
 *
 * <p>Kernels split their work into independent <em>output tiles</em> and hand them to
 * {@link #forEach(int, TileBody)}. A tile never shares a reduction with another tile, and a
 * kernel computes each output element with the same arithmetic whichever tile (and so whichever
 * thread) it falls in; kernels may size their tiles by the thread count, but never split a
 * reduction by it. Outputs are therefore bit-identical for any thread count.
 *
 * <p>The pool size comes from the system property {@code lanes.threads} (default: the number
 * of available processors) and can be changed at run time with {@link #setThreads(int)}, like
 * {@code torch.set_num_threads}. The calling thread always takes part, so a pool of {@code n}
 * threads owns {@code n - 1} daemon workers. A call made from inside a tile runs its tiles
 * serially on that thread, so nested parallel kernels never deadlock.
 */
public final class Parallel {

    /** The body of a parallel loop: processes tile {@code tile}. */
    @FunctionalInterface
    public interface TileBody {
        /**
         * Processes one tile.
         *
         * @param tile the tile index, in {@code [0, tiles)}
         */
        void run(int tile);
    }

    /** Upper bound of the pool size. */
    public static final int MAX_THREADS = 1024;
    private static final Object LOCK = new Object();
    private static final ThreadLocal<Boolean> INSIDE_TILE = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static volatile Pool pool = new Pool(defaultThreads());

    private Parallel() {
    }

    /** @return the number of threads (workers plus the caller) that run tiles */
    public static int threads() {
        return pool.threads;
    }

    /**
     * Sets the number of threads that run tiles. Results do not depend on it.
     *
     * @param threads in {@code [1, MAX_THREADS]}; 1 runs everything on the calling thread
     * @throws IllegalArgumentException if {@code threads} is out of range
     */
    public static void setThreads(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("Parallel.setThreads: threads must be in [1, " + MAX_THREADS
                    + "], got " + threads);
        }
        synchronized (LOCK) {
            if (pool.threads == threads) {
                return;
            }
            Pool old = pool;
            pool = new Pool(threads);
            old.shutdown();
        }
    }

    /**
     * Runs {@code body.run(t)} once for every {@code t} in {@code [0, tiles)}, spread over the
     * pool, and returns when all tiles are done. The first exception thrown by a tile is
     * rethrown here (after the remaining tiles finish or are skipped).
     *
     * @param tiles number of tiles, in {@code [0, Integer.MAX_VALUE - MAX_THREADS]} (the claim
     *              counter overshoots by up to one per thread)
     * @param body  the work of one tile
     */
    public static void forEach(int tiles, TileBody body) {
        if (tiles < 0 || tiles > Integer.MAX_VALUE - MAX_THREADS) {
            throw new IllegalArgumentException("Parallel.forEach: tiles must be in [0, "
                    + (Integer.MAX_VALUE - MAX_THREADS) + "], got " + tiles);
        }
        Pool p = pool;
        if (tiles <= 1 || p.threads == 1 || INSIDE_TILE.get()) {
            runSerially(tiles, body);
            return;
        }
        p.run(tiles, body);
    }

    /**
     * @return whether a parallel loop started here would be split across threads: more than one
     *         thread, and not already inside a tile or {@link #serially} (kernels check it so that
     *         they do not build the closures of a split that cannot happen)
     */
    public static boolean canSplit() {
        return pool.threads > 1 && !INSIDE_TILE.get();
    }

    /**
     * Runs {@code work} on the calling thread with every parallel loop inside it (kernels
     * included) run serially on this thread, as inside a tile. Serving sessions use it: their
     * calls then neither allocate jobs nor compete for the pool with other sessions, and one
     * session per thread scales by threads instead. Results are the same bits either way.
     *
     * @param work what to run
     */
    public static void serially(Runnable work) {
        if (INSIDE_TILE.get()) {
            work.run();
            return;
        }
        INSIDE_TILE.set(Boolean.TRUE);
        try {
            work.run();
        } finally {
            INSIDE_TILE.set(Boolean.FALSE);
        }
    }

    private static void runSerially(int tiles, TileBody body) {
        for (int t = 0; t < tiles; t++) {
            body.run(t);
        }
    }

    /**
     * The pool size from {@code lanes.threads}. An invalid value is reported once on the log and
     * replaced by the number of available processors: failing here would make this class, and
     * with it every kernel, unusable for the life of the JVM.
     */
    private static int defaultThreads() {
        int available = Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors());
        String prop = System.getProperty("lanes.threads");
        if (prop == null || prop.isBlank()) {
            return available;
        }
        try {
            int n = Integer.parseInt(prop.trim());
            if (n >= 1 && n <= MAX_THREADS) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.getLogger("dev.lanes.kernel").log(System.Logger.Level.WARNING, "lanes.threads must be an integer in [1, "
                + MAX_THREADS + "], got '" + prop + "'; using " + available + " threads");
        return available;
    }

    /** One parallel loop in flight: tiles are claimed with an atomic counter. */
    private static final class Job {
        final int tiles;
        final TileBody body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger remaining;
        volatile boolean callerParked;
        volatile Throwable failure;

        Job(int tiles, TileBody body, Thread caller) {
            this.tiles = tiles;
            this.body = body;
            this.caller = caller;
            this.remaining = new AtomicInteger(tiles);
        }

        boolean hasUnclaimedTiles() {
            return next.get() < tiles;
        }

        /** Claims and runs tiles until none are left. */
        void work() {
            int t;
            while ((t = next.getAndIncrement()) < tiles) {
                try {
                    if (failure == null) {
                        body.run(t);
                    }
                } catch (Throwable e) {
                    synchronized (this) {
                        if (failure == null) {
                            failure = e;
                        } else if (failure != e) {
                            failure.addSuppressed(e);
                        }
                    }
                } finally {
                    if (remaining.decrementAndGet() == 0 && callerParked) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Waits (spinning first, then parked) until every claimed tile has finished. */
        void awaitCompletion() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (remaining.get() > 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                callerParked = true;
                if (remaining.get() > 0) {
                    LockSupport.park(this);
                }
                callerParked = false;
            }
        }
    }

    /**
     * How long an idle thread spins before it parks. Waking a parked thread can take hundreds
     * of microseconds on a virtual machine (the idle CPU is halted), which would erase the gain
     * of splitting a millisecond of work; spinning keeps workers ready between the phases of a
     * kernel and between back-to-back kernels. Set with {@code -Dlanes.spinMicros}.
     */
    private static final long SPIN_NANOS = Long.getLong("lanes.spinMicros", 2000L) * 1000L;

    /**
     * Workers watch one slot for the latest job. If several threads post jobs at once, a worker
     * may miss one; that costs parallelism, never correctness, because the thread that posts a
     * job also works on it until every tile is claimed.
     */
    private static final class Pool {
        final int threads;
        final AtomicReference<Job> posted = new AtomicReference<>();
        final List<Worker> workers = new ArrayList<>();
        volatile boolean running = true;

        Pool(int threads) {
            this.threads = threads;
            for (int i = 1; i < threads; i++) {
                Worker w = new Worker(this, "lanes-worker-" + i);
                workers.add(w);
                w.thread.start();
            }
        }

        void run(int tiles, TileBody body) {
            Job job = new Job(tiles, body, Thread.currentThread());
            posted.set(job);
            for (int i = 0; i < workers.size(); i++) {
                Worker w = workers.get(i);
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            INSIDE_TILE.set(Boolean.TRUE);
            try {
                job.work();
            } finally {
                INSIDE_TILE.set(Boolean.FALSE);
            }
            posted.compareAndSet(job, null);
            job.awaitCompletion();
            Throwable e = job.failure;
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException("Parallel.forEach: tile failed", e);
            }
        }

        void shutdown() {
            running = false;
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
        }
    }

    private static final class Worker implements Runnable {
        final Pool pool;
        final Thread thread;
        volatile boolean parked;

        Worker(Pool pool, String name) {
            this.pool = pool;
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            INSIDE_TILE.set(Boolean.TRUE);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (pool.running) {
                Job job = pool.posted.get();
                if (job != null && job.hasUnclaimedTiles()) {
                    job.work();
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    // Announce the park, then look once more: a job posted in between is seen
                    // here or its poster sees parked == true and unparks us.
                    parked = true;
                    job = pool.posted.get();
                    if (pool.running && (job == null || !job.hasUnclaimedTiles())) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                }
            }
        }
    }
}
