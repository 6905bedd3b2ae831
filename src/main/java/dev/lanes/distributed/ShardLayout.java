package dev.lanes.distributed;

/**
 * How a global batch and a vector are split for a data-parallel sum: {@code shards} logical
 * shards, fixed for the whole run, dealt out to the ranks in contiguous runs (rank {@code r} of
 * {@code w} holds shards {@code [s r / w, s (r + 1) / w)}); and a vector of {@code segments}
 * (one per parameter), each of which a shard either contributes to or not.
 *
 * <p>The sum a {@link Collective} computes over this layout is the one a single process gets by
 * accumulating shard after shard, whatever the number of ranks: per segment, the first shard
 * that contributes is copied, each later contributing shard is added to the running value in
 * shard order, and a segment no shard contributes to stays absent.
 */
public final class ShardLayout {

    private final int shards;
    private final int[] segments;
    private final int[] starts;
    private final int length;

    /**
     * @param shards   the number of logical shards, at least 1
     * @param segments the length of each segment (at least one segment; lengths of 0 are allowed)
     * @throws IllegalArgumentException on a count or length out of range, or a total above
     *                                  {@code Integer.MAX_VALUE}
     */
    public ShardLayout(int shards, int... segments) {
        if (shards < 1) {
            throw new IllegalArgumentException("ShardLayout: need at least one shard, got " + shards);
        }
        if (segments.length == 0) {
            throw new IllegalArgumentException("ShardLayout: need at least one segment");
        }
        this.shards = shards;
        this.segments = segments.clone();
        this.starts = new int[segments.length + 1];
        long total = 0;
        for (int i = 0; i < segments.length; i++) {
            if (segments[i] < 0) {
                throw new IllegalArgumentException("ShardLayout: segment " + i + " has length " + segments[i]);
            }
            starts[i] = (int) total;
            total += segments[i];
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("ShardLayout: the segments hold more than " + Integer.MAX_VALUE
                        + " values");
            }
        }
        this.length = (int) total;
        starts[segments.length] = length;
    }

    /** @return the number of logical shards */
    public int shards() {
        return shards;
    }

    /** @return the number of segments */
    public int segments() {
        return segments.length;
    }

    /** @return the values of the whole vector (all segments) */
    public int length() {
        return length;
    }

    /** @return where segment {@code i} starts in the vector ({@code i == segments()} gives the length) */
    public int start(int i) {
        return starts[i];
    }

    /**
     * @return the first shard of {@code rank} among {@code ranks}; {@code rank == ranks} gives
     *         the number of shards
     * @throws IllegalArgumentException when there are more ranks than shards or the rank is out of range
     */
    public int firstShard(int rank, int ranks) {
        checkRanks(ranks);
        if (rank < 0 || rank > ranks) {
            throw new IllegalArgumentException("ShardLayout: rank " + rank + " of " + ranks);
        }
        return (int) ((long) shards * rank / ranks);
    }

    /** @throws IllegalArgumentException when {@code ranks} ranks cannot each hold a shard */
    void checkRanks(int ranks) {
        if (ranks < 1 || ranks > shards) {
            throw new IllegalArgumentException("ShardLayout: " + ranks + " ranks for " + shards
                    + " shards; each rank needs at least one shard");
        }
    }

    /**
     * Checks one rank's contribution against the layout.
     *
     * @throws IllegalArgumentException when a count or length does not match
     */
    void checkContribution(int rank, int ranks, float[][] values, boolean[][] present, float[] out,
                           boolean[] outPresent) {
        int own = firstShard(rank + 1, ranks) - firstShard(rank, ranks);
        if (values.length != own || present.length != own) {
            throw new IllegalArgumentException("sumShards: rank " + rank + " of " + ranks + " holds " + own
                    + " of " + shards + " shards, got " + values.length + " value vectors and " + present.length
                    + " presence flags");
        }
        for (int s = 0; s < own; s++) {
            if (values[s] == null || values[s].length != length || present[s] == null
                    || present[s].length != segments.length) {
                throw new IllegalArgumentException("sumShards: shard " + (firstShard(rank, ranks) + s) + " needs "
                        + length + " values and " + segments.length + " flags");
            }
        }
        if (out.length != length || outPresent.length != segments.length) {
            throw new IllegalArgumentException("sumShards: the result needs " + length + " values and "
                    + segments.length + " flags, got " + out.length + " and " + outPresent.length);
        }
    }
}
