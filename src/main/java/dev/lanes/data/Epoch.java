package dev.lanes.data;

import dev.lanes.tensor.Generator;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The batches of one epoch of a {@link DataLoader}, in order, from a starting batch to the end.
 * Like a {@link java.nio.file.DirectoryStream}, it is an {@link Iterable} whose iterator may be
 * taken once, and should be closed:
 *
 * <pre>{@code
 * try (Epoch batches = loader.epoch(e)) {
 *     for (Batch b : batches) {
 *         ...
 *         checkpoint.save(batches.position());   // resume with loader.resume(position)
 *     }
 * }
 * }</pre>
 *
 * <p>With prefetching, a daemon thread makes the next batches while the consumer works on the
 * current one; a failure there reaches the consumer as a {@link DataLoaderException} from
 * {@link #next()}, after the batches made before it. The thread ends by itself at the end of the
 * epoch, on a failure, and on {@link #close()}, which waits for it. An epoch abandoned without
 * closing is closed when it is garbage-collected.
 *
 * <p>An epoch is used by one thread; only {@link #close()} may be called from another.
 */
public final class Epoch implements Iterable<Batch>, Iterator<Batch>, AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final BatchMaker maker;
    private final int epoch;
    private final int[] order;
    private final int end;
    private final Prefetcher prefetcher;
    private final Cleaner.Cleanable cleanable;
    private final LoaderThreads threads;
    private final Generator gen = new Generator(0);
    private int next;
    private volatile boolean closed;
    private boolean iterated;

    /**
     * @param prefetch the batches made ahead on a thread, 0 for none (batches made in {@link #next()})
     * @param threads  the loader's prefetch threads; closing the loader ends the epoch
     */
    Epoch(BatchMaker maker, int epoch, int from, int prefetch, LoaderThreads threads) {
        this.maker = maker;
        this.threads = threads;
        this.epoch = epoch;
        this.order = maker.order(epoch);
        this.end = maker.batches();
        this.next = from;
        if (prefetch > 0 && from < end) {
            this.prefetcher = new Prefetcher(maker, epoch, order, from, prefetch, threads);
            this.cleanable = CLEANER.register(this, prefetcher::close);
        } else {
            this.prefetcher = null;
            this.cleanable = null;
        }
    }

    /** @return the epoch's number */
    public int number() {
        return epoch;
    }

    /** @return the index of the next batch {@link #next()} returns */
    public int nextIndex() {
        return next;
    }

    /** @return the number of batches in the whole epoch */
    public int batches() {
        return end;
    }

    /**
     * Where the consumer is: the batch that {@link #next()} returns next (not how far the
     * prefetch thread has got). {@link DataLoader#resume} continues from it.
     *
     * @return the position
     */
    public LoaderPosition position() {
        return new LoaderPosition(maker.seed(), epoch, next);
    }

    /**
     * @return this epoch, as an iterator
     * @throws IllegalStateException on a second call
     */
    @Override
    public Iterator<Batch> iterator() {
        if (iterated) {
            throw new IllegalStateException("Epoch: the batches of an epoch can be iterated once");
        }
        iterated = true;
        return this;
    }

    @Override
    public boolean hasNext() {
        return !closed && next < end && !threads.isClosed() && (prefetcher == null || !prefetcher.isClosed());
    }

    /**
     * @return the next batch
     * @throws NoSuchElementException if the epoch is used up or closed
     * @throws DataLoaderException    if making the batch failed, or the wait was interrupted; the
     *                                epoch is closed
     * @throws IllegalStateException  if the epoch was closed while waiting for the batch
     */
    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("Epoch " + epoch + ": "
                    + (next < end ? "closed before batch " + next : "all " + end + " batches were returned"));
        }
        Batch batch = prefetcher == null ? makeHere() : takeFromPrefetcher();
        next++;
        if (next == end) {
            close();
        }
        return batch;
    }

    private Batch makeHere() {
        try {
            return maker.make(epoch, order, next, gen);
        } catch (RuntimeException | Error e) {
            close();
            throw failed(next, e);
        }
    }

    private Batch takeFromPrefetcher() {
        Object item;
        try {
            item = prefetcher.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new DataLoaderException("epoch " + epoch + ": interrupted while waiting for batch " + next, e);
        }
        return switch (item) {
            case Batch b -> b;
            case Prefetcher.Failure f -> {
                close();
                throw failed(f.index(), f.error());
            }
            case Prefetcher.Closed c -> {
                closed = true;
                throw new IllegalStateException("Epoch " + epoch + ": closed while waiting for batch " + next);
            }
            default -> throw new AssertionError(item);
        };
    }

    private DataLoaderException failed(int index, Throwable cause) {
        return new DataLoaderException("epoch " + epoch + ": making batch " + index + " failed: " + cause, cause);
    }

    /** Stops the prefetch thread, if any, and waits for it to end. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (cleanable != null) {
            cleanable.clean();
        }
    }
}
