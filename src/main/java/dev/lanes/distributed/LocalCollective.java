package dev.lanes.distributed;

import java.util.function.Consumer;

/**
 * One rank holding every shard: the single-process run that a data-parallel run on any number
 * of ranks reproduces bit for bit. The sum is the plain in-order accumulation; broadcast and
 * barrier do nothing.
 */
public final class LocalCollective implements Collective {

    private boolean closed;

    /** A collective of one rank. */
    public LocalCollective() {
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public void sumShards(ShardLayout layout, float[][] values, boolean[][] present, float[] out,
                          boolean[] outPresent) {
        checkOpen();
        layout.checkContribution(0, 1, values, present, out, outPresent);
        ShardFold fold = ShardFold.empty(layout, 0, layout.length(), out, 0);
        for (int s = 0; s < values.length; s++) {
            fold.add(values[s], 0, present[s]);
        }
        for (int i = 0; i < outPresent.length; i++) {
            outPresent[i] = fold.seen(i);
        }
    }

    @Override
    public void foldInRankOrder(float[] state, Consumer<float[]> step) {
        checkOpen();
        step.accept(state);
    }

    @Override
    public void broadcast(float[] data, int root) {
        checkOpen();
        if (root != 0) {
            throw new IllegalArgumentException("broadcast: root " + root + " of 1 rank");
        }
    }

    @Override
    public void barrier() {
        checkOpen();
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new CollectiveException("the collective is closed");
        }
    }
}
