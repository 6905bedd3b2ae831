package dev.lanes.distributed;

import java.util.function.Consumer;

/**
 * Collective operations among the ranks of one data-parallel run: a shard-ordered sum, a
 * broadcast and a barrier. Every rank calls the same operations in the same order. A failure
 * (a rank that died, stopped answering or sent something unexpected) throws a
 * {@link CollectiveException} naming the rank, after which the collective is closed.
 *
 * <p>Implementations: {@link TcpCollective} (ranks in separate processes or machines) and
 * {@link LocalCollective} (one rank holding every shard, the single-process reference).
 */
public interface Collective extends AutoCloseable {

    /** @return this rank, {@code 0 <= rank() < size()} */
    int rank();

    /** @return the number of ranks */
    int size();

    /**
     * The shard-ordered sum of {@link ShardLayout}: every rank passes the vectors of the shards
     * it holds and receives the same result, with the bits a single process gets accumulating
     * all shards in order, for any number of ranks.
     *
     * @param layout     the layout, the same on every rank
     * @param values     this rank's shards' vectors, in shard order, each {@code layout.length()} long
     * @param present    per own shard, which segments it contributes to
     * @param out        receives the sum ({@code layout.length()} values); absent segments are zero
     * @param outPresent receives which segments any shard contributed to
     * @throws IllegalArgumentException when the arguments do not match the layout
     * @throws CollectiveException      when a rank fails
     */
    void sumShards(ShardLayout layout, float[][] values, boolean[][] present, float[] out, boolean[] outPresent);

    /**
     * Passes {@code state} through the ranks in rank order: rank 0 applies {@code step} to its
     * own {@code state}, each later rank applies it to what the rank before passed on, and every
     * rank ends with the last rank's result in {@code state}. For updates that must happen in
     * shard order, such as batch norm's running statistics.
     *
     * @param state the start on rank 0, the result on every rank; the same length on all ranks
     * @param step  this rank's part, applied to the state in place
     * @throws CollectiveException when a rank fails or the lengths differ
     */
    void foldInRankOrder(float[] state, Consumer<float[]> step);

    /**
     * Copies {@code data} of rank {@code root} into {@code data} on every rank.
     *
     * @throws CollectiveException when a rank fails or the lengths differ
     */
    void broadcast(float[] data, int root);

    /**
     * Returns once every rank has called it.
     *
     * @throws CollectiveException when a rank fails
     */
    void barrier();

    /** Releases the connections; later operations throw. */
    @Override
    void close();
}
