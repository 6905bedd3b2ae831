package dev.lanes.data;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prefetch threads a {@link DataLoader} has running, so that closing the loader stops them
 * all. Holds the prefetchers only, never the epochs, so that an abandoned epoch can still be
 * garbage-collected (and cleaned).
 */
final class LoaderThreads {

    private final Set<Prefetcher> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @return true once the loader is closed */
    boolean isClosed() {
        return closed;
    }

    /** Registers a started prefetcher; closes it at once if the loader was closed meanwhile. */
    void add(Prefetcher p) {
        running.add(p);
        if (closed) {
            p.close();
        }
    }

    /** Forgets a prefetcher that has closed. */
    void remove(Prefetcher p) {
        running.remove(p);
    }

    /** @return how many prefetchers are open */
    int running() {
        return running.size();
    }

    /** Marks the loader closed and closes every open prefetcher. */
    void closeAll() {
        closed = true;
        for (Prefetcher p : running) {
            p.close();
        }
    }
}
