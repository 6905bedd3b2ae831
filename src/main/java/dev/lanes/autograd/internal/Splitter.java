package dev.lanes.autograd.internal;

import dev.lanes.kernel.internal.Parallel;

/**
 * How a session runs the {@link Split}s of its steps: every tile on the calling thread
 * ({@link #SERIAL}), or spread over the thread pool by one {@link Parallel.Loop} per split, made
 * when the session is made ({@link PlanProgram#parallelSplitter}), so that a call allocates
 * nothing. Either way each tile computes the same bits.
 */
public interface Splitter {

    /** Runs every tile on the calling thread. */
    Splitter SERIAL = (s, mem, a, b) -> {
        for (int t = 0; t < s.tiles; t++) {
            s.work.run(mem, t, a, b);
        }
    };

    /** Runs every tile of {@code s} on {@code mem} with the call's arguments, and returns when all are done. */
    void run(Split s, float[] mem, int a, int b);

    /**
     * One session's loops over the pool; not thread-safe (one call at a time, as the session).
     * Each loop has one part per thread, a run of whole tiles: claiming a part is a shared
     * atomic, worth it only for a large piece of work.
     */
    final class OverPool implements Splitter {
        private final Parallel.Loop[] loops;
        private float[] mem;
        private int a;
        private int b;

        OverPool(Split[] splits) {
            this.loops = new Parallel.Loop[splits.length];
            int threads = Parallel.threads();
            for (Split s : splits) {
                int parts = Math.min(s.tiles, threads);
                loops[s.id] = new Parallel.Loop(parts, p -> {
                    int end = (int) ((long) s.tiles * (p + 1) / parts);
                    for (int t = (int) ((long) s.tiles * p / parts); t < end; t++) {
                        s.work.run(mem, t, a, b);
                    }
                });
            }
        }

        @Override
        public void run(Split s, float[] arena, int a, int b) {
            // Read by the tiles after the loop's start publishes them.
            this.mem = arena;
            this.a = a;
            this.b = b;
            loops[s.id].run();
        }
    }
}
