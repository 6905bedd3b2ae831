package dev.lanes.data;

import dev.lanes.tensor.Generator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the batches of one epoch on a daemon thread, in order, a bounded number ahead of the
 * consumer. Hands on each batch, or the failure that stopped it, through a blocking queue.
 * {@link #close()} stops the thread and waits for it to end.
 */
final class Prefetcher {

    /** What the queue carries besides batches. */
    sealed interface Signal {
    }

    /** Making batch {@code index} threw {@code error}; nothing follows. */
    record Failure(int index, Throwable error) implements Signal {
    }

    /** The prefetcher was closed while the consumer waited. */
    record Closed() implements Signal {
    }

    private static final AtomicInteger COUNT = new AtomicInteger();

    /** The prefix of the names of the prefetch threads. */
    static final String THREAD_NAME = "lanes-data-loader-";

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private final LoaderThreads registry;
    private boolean closed;

    /**
     * Starts making batches {@code from} to the end of the epoch.
     *
     * @param capacity the most batches made ahead, >= 1
     * @param registry where the prefetcher is registered while its thread may run
     */
    Prefetcher(BatchMaker maker, int epoch, int[] order, int from, int capacity, LoaderThreads registry) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.registry = registry;
        BlockingQueue<Object> q = queue;
        int end = maker.batches();
        this.thread = Thread.ofPlatform().daemon().name(THREAD_NAME + COUNT.incrementAndGet())
                .unstarted(() -> produce(maker, epoch, order, from, end, q));
        thread.start();
        registry.add(this);
    }

    /** The thread's work; static so that the thread holds no reference to its prefetcher or epoch. */
    private static void produce(BatchMaker maker, int epoch, int[] order, int from, int end,
            BlockingQueue<Object> queue) {
        Generator gen = new Generator(0);
        int index = from;
        try {
            for (; index < end; index++) {
                if (Thread.interrupted()) {
                    return;
                }
                queue.put(maker.make(epoch, order, index, gen));
            }
        } catch (InterruptedException e) {
            // closed: stop quietly
        } catch (Throwable t) {
            try {
                queue.put(new Failure(index, t));
            } catch (InterruptedException e) {
                // closed while handing on the failure: nobody is waiting for it
            }
        }
    }

    /**
     * @return the next batch, a {@link Failure} or {@link Closed}
     * @throws InterruptedException if the waiting thread is interrupted
     */
    Object take() throws InterruptedException {
        return queue.take();
    }

    /**
     * Stops the thread, waits until it has ended, and leaves a {@link Closed} signal for a
     * consumer that may still be waiting. Idempotent.
     */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            // again and again: a transform may have swallowed an earlier interrupt
            thread.interrupt();
            try {
                thread.join(50);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        queue.clear();
        queue.offer(new Closed());
        registry.remove(this);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return true once {@link #close()} has begun */
    synchronized boolean isClosed() {
        return closed;
    }

    /** @return the thread, for tests */
    Thread thread() {
        return thread;
    }
}
