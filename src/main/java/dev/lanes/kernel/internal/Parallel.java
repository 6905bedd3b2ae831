package dev.lanes.kernel.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 *
 * <p>{@link #later} starts a loop in the background: workers run its tiles whenever no
 * {@link #forEach} loop has tiles left, while the calling thread goes on; {@link Pending#await}
 * finishes it. A backward pass computes weight gradients, which nothing downstream waits for,
 * this way, so that the workers fill the stretches where the calling thread works alone.
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

    /** The body of {@link #forRanges}: processes the indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** The fewest elements of a streaming elementwise pass worth a range of {@link #forRanges} of their own. */
    public static final int ELEMENTWISE_GRAIN = 1 << 14;

    /** Upper bound of the pool size. */
    public static final int MAX_THREADS = 1024;
    private static final Object LOCK = new Object();
    /** A thread's state: free to split, inside a tile, or inside {@link #serially} (outside any tile). */
    private static final Integer FREE = 0;
    private static final Integer IN_TILE = 1;
    private static final Integer SERIAL = 2;
    private static final ThreadLocal<Integer> STATE = ThreadLocal.withInitial(() -> FREE);
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
        if (tiles <= 1 || p.threads == 1 || STATE.get() != FREE) {
            runSerially(tiles, body);
            return;
        }
        p.run(tiles, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} cut into contiguous ranges of at least {@code grain}
     * indices, about two per thread, spread over the pool as {@link #forEach} does (one range, on
     * this thread, where there is nothing to split). For passes that visit each index once, on
     * its own: the result does not depend on the cut.
     *
     * @param n     indices, {@code >= 0}
     * @param grain the fewest indices worth a range of their own, {@code >= 1}
     * @param body  the work of one range
     */
    public static void forRanges(int n, int grain, RangeBody body) {
        if (n < 0 || grain < 1) {
            throw new IllegalArgumentException("Parallel.forRanges: need n >= 0 and grain >= 1, got n=" + n
                    + ", grain=" + grain);
        }
        int ranges = ranges(n, grain);
        if (ranges <= 1) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        forEach(ranges, t -> body.run((int) ((long) n * t / ranges), (int) ((long) n * (t + 1) / ranges)));
    }

    /**
     * @return whether {@link #forRanges} would cut {@code [0, n)} into more than one range here
     *         (callers that would build a closure for it can run the one range directly instead)
     */
    public static boolean splits(int n, int grain) {
        return ranges(n, grain) > 1;
    }

    private static int ranges(int n, int grain) {
        return canSplit() ? Math.min(2 * threads(), n / Math.max(1, grain)) : 1;
    }

    /**
     * @return whether a parallel loop started here would be split across threads: more than one
     *         thread, and not already inside a tile or {@link #serially} (kernels check it so that
     *         they do not build the closures of a split that cannot happen)
     */
    public static boolean canSplit() {
        return pool.threads > 1 && STATE.get() == FREE;
    }

    /**
     * Runs {@code work} on the calling thread with every parallel loop inside it (kernels
     * included) run serially on this thread, as inside a tile, except {@link Loop}s, which still
     * spread over the pool. Serving sessions use it: their kernels then neither allocate jobs nor
     * compete for the pool with other sessions, and a parallel session splits only its own
     * preallocated loops. Results are the same bits either way.
     *
     * @param work what to run
     */
    public static void serially(Runnable work) {
        if (STATE.get() != FREE) {
            work.run();
            return;
        }
        STATE.set(SERIAL);
        try {
            work.run();
        } finally {
            STATE.set(FREE);
        }
    }

    /**
     * Starts {@code body.run(t)} for every {@code t} in {@code [0, tiles)} in the background and
     * returns at once: idle workers claim its tiles one at a time, giving way to {@link #forEach}
     * loops between tiles. {@link Pending#await} runs the tiles nobody has claimed on the waiting
     * thread, waits for the others, then runs {@code then}. On one thread, inside a tile or
     * {@link #serially}, everything runs here, before this returns. Tiles must not depend on what
     * the calling thread does meanwhile: they run at unknown times, in any order.
     *
     * @param tiles number of tiles, as for {@link #forEach}
     * @param body  the work of one tile
     * @param then  what to run once after every tile, on the thread that awaits; null for nothing
     * @return the handle to await
     */
    public static Pending later(int tiles, TileBody body, Runnable then) {
        if (tiles < 0 || tiles > Integer.MAX_VALUE - MAX_THREADS) {
            throw new IllegalArgumentException("Parallel.later: tiles must be in [0, "
                    + (Integer.MAX_VALUE - MAX_THREADS) + "], got " + tiles);
        }
        Pending pending = new Pending(new Job(tiles, body, Thread.currentThread()), then);
        Pool p = pool;
        if (tiles == 0 || p.threads == 1 || STATE.get() != FREE) {
            pending.finish();
            return pending;
        }
        p.submit(pending.job);
        return pending;
    }

    /** A loop started by {@link #later}. */
    public static final class Pending {
        private final Job job;
        private Runnable then;
        private boolean done;

        private Pending(Job job, Runnable then) {
            this.job = job;
            this.then = then;
        }

        /**
         * Runs the tiles no worker has claimed, waits for the claimed ones, then runs the
         * {@code then} step; at once if already done. Call it from the thread that started the
         * loop. The first failure of a tile or of {@code then} is thrown here (every time).
         */
        public void await() {
            finish();
            job.rethrow("Parallel.later");
        }

        /** Everything but the rethrow: failures stay in the job until {@link #await}. */
        private void finish() {
            if (done) {
                return;
            }
            done = true;
            Integer state = STATE.get();
            STATE.set(IN_TILE);
            try {
                job.work();
            } finally {
                STATE.set(state);
            }
            job.awaitCompletion();
            if (job.failure == null && then != null) {
                try {
                    then.run();
                } catch (RuntimeException | Error e) {
                    job.failure = e;
                }
            }
            then = null;
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

    /**
     * A parallel loop made once and run any number of times without allocating: the same tiles
     * and body each time, spread over the pool as {@link #forEach} spreads its tiles. For a
     * serving session that splits each request across the threads: {@code forEach} allocates its
     * job on every call. Such a session runs under {@link #serially}, so that the kernels it calls
     * stay on its thread, and splits only its own loops: a loop is spread over the pool under
     * {@code serially} too. One caller at a time; the body reads whatever its caller set up before
     * {@link #run()} (the start of a run publishes it to the workers).
     */
    public static final class Loop {

        private final Job job;

        /**
         * @param tiles the number of tiles of every run, in {@code [0, Integer.MAX_VALUE - MAX_THREADS]}
         * @param body  the work of one tile
         */
        public Loop(int tiles, TileBody body) {
            if (tiles < 0 || tiles > Integer.MAX_VALUE - MAX_THREADS) {
                throw new IllegalArgumentException("Parallel.Loop: tiles must be in [0, "
                        + (Integer.MAX_VALUE - MAX_THREADS) + "], got " + tiles);
            }
            if (body == null) {
                throw new NullPointerException("Parallel.Loop: body is null");
            }
            this.job = new Job(tiles, body, null);
        }

        /**
         * Runs every tile once and returns when all are done; serially on this thread when the
         * pool has one thread, there is at most one tile, or this thread is inside a tile (not
         * when it is only inside {@link #serially}). The first exception of a tile is rethrown;
         * the loop can run again.
         */
        public void run() {
            Pool p = pool;
            if (job.tiles <= 1 || p.threads == 1 || STATE.get() == IN_TILE) {
                runSerially(job.tiles, job.body);
                return;
            }
            job.reset(Thread.currentThread());
            p.run(job);
        }
    }

    /** One parallel loop in flight: tiles are claimed with an atomic counter. */
    private static final class Job {
        final int tiles;
        final TileBody body;
        /*
         * Set before the claim counter is (re)set, which publishes them to the workers: a worker
         * reads them only after claiming a tile.
         */
        Thread caller;
        /** The caller's provider override: a worker runs the tiles on the caller's provider. */
        KernelProvider provider = Providers.override();
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

        /**
         * Makes a finished job ready to run again for {@code caller}. A worker still looking at
         * the last run can only claim tiles of the new one after the counter is reset, and then
         * sees this run's caller, provider and data.
         */
        void reset(Thread caller) {
            this.caller = caller;
            this.provider = Providers.override();
            failure = null;
            remaining.set(tiles);
            next.set(0);
        }

        boolean hasUnclaimedTiles() {
            return next.get() < tiles;
        }

        /** Claims and runs tiles until none are left. */
        void work() {
            while (workOne()) {
                // next tile
            }
        }

        /** Claims and runs one tile; false when none was left to claim. */
        boolean workOne() {
            int t = next.getAndIncrement();
            if (t >= tiles) {
                return false;
            }
            KernelProvider own = Providers.override();
            if (own != provider) {
                Providers.setOverride(provider);
            }
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
                if (own != provider) {
                    Providers.setOverride(own);
                }
                if (remaining.decrementAndGet() == 0 && callerParked) {
                    LockSupport.unpark(caller);
                }
            }
            return true;
        }

        /** Throws the first failure of a tile (unchecked ones as they are), if any. */
        void rethrow(String op) {
            Throwable e = failure;
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException(op + ": tile failed", e);
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
        /** Loops started by {@link Parallel#later}, oldest first, until every tile is claimed. */
        final ConcurrentLinkedQueue<Job> background = new ConcurrentLinkedQueue<>();
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
            run(new Job(tiles, body, Thread.currentThread()));
        }

        void run(Job job) {
            posted.set(job);
            wakeWorkers();
            Integer state = STATE.get();
            STATE.set(IN_TILE);
            try {
                job.work();
            } finally {
                STATE.set(state);
            }
            posted.compareAndSet(job, null);
            job.awaitCompletion();
            job.rethrow("Parallel.forEach");
        }

        void submit(Job job) {
            background.add(job);
            wakeWorkers();
        }

        private void wakeWorkers() {
            for (int i = 0; i < workers.size(); i++) {
                Worker w = workers.get(i);
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
        }

        /** The oldest background loop with a tile left to claim, or null. */
        Job nextBackground() {
            Job job;
            while ((job = background.peek()) != null && !job.hasUnclaimedTiles()) {
                background.remove(job);
            }
            return job;
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
            STATE.set(IN_TILE);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (pool.running) {
                Job job = pool.posted.get();
                Job later;
                if (job != null && job.hasUnclaimedTiles()) {
                    job.work();
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if ((later = pool.nextBackground()) != null) {
                    // One tile at a time, so that a forEach posted meanwhile is joined soon.
                    later.workOne();
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    // Announce the park, then look once more: a job posted in between is seen
                    // here or its poster sees parked == true and unparks us.
                    parked = true;
                    job = pool.posted.get();
                    if (pool.running && (job == null || !job.hasUnclaimedTiles()) && pool.nextBackground() == null) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                }
            }
        }
    }
}
