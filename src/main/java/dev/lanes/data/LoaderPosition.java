package dev.lanes.data;

/**
 * Where a {@link DataLoader} is in its stream of batches: everything a checkpoint needs to resume
 * bit for bit. The order of each epoch and every random transform are derived from the seed, the
 * epoch and the position, so no generator state beyond these three numbers exists.
 *
 * @param seed  the loader's seed
 * @param epoch the epoch, >= 0
 * @param batch the index of the next batch within the epoch, >= 0 (the number of batches of the
 *              epoch when it is used up)
 */
public record LoaderPosition(long seed, int epoch, int batch) {

    /** Checks the ranges. */
    public LoaderPosition {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("LoaderPosition: epoch and batch must be >= 0, got epoch " + epoch
                    + ", batch " + batch);
        }
    }
}
