package dev.lanes.distributed;

import java.util.Arrays;

/**
 * The shard-ordered sum of {@link ShardLayout} over one range of the vector, shard by shard:
 * the first contribution to each segment is copied, later ones are added, in the order they
 * are given (which callers keep to shard order). The same arithmetic on every rank and for any
 * split of the vector into ranges, so the bits do not depend on either.
 */
final class ShardFold {

    private final ShardLayout layout;
    private final int from;
    private final int to;
    private final float[] acc;
    private final int accOff;
    private final boolean[] seen;

    /**
     * A fold that goes on from a running sum: {@code acc} holds the sum of the earlier shards
     * (zero where none contributed) for positions {@code [from, to)} from {@code accOff}.
     *
     * @param acc    the running sum, which receives the result
     * @param accOff where position {@code from} is in {@code acc}
     * @param before which segments the earlier shards contributed to (not modified)
     */
    ShardFold(ShardLayout layout, int from, int to, float[] acc, int accOff, boolean[] before) {
        this.layout = layout;
        this.from = from;
        this.to = to;
        this.acc = acc;
        this.accOff = accOff;
        this.seen = before.clone();
    }

    /** A fold from nothing: zeroes {@code acc}'s range first. */
    static ShardFold empty(ShardLayout layout, int from, int to, float[] acc, int accOff) {
        Arrays.fill(acc, accOff, accOff + (to - from), 0f);
        return new ShardFold(layout, from, to, acc, accOff, new boolean[layout.segments()]);
    }

    /**
     * Adds the next shard.
     *
     * @param src     the shard's values of positions {@code [from, to)} from {@code srcOff}
     * @param present which segments the shard contributes to
     */
    void add(float[] src, int srcOff, boolean[] present) {
        for (int i = 0; i < layout.segments(); i++) {
            int a = Math.max(from, layout.start(i));
            int b = Math.min(to, layout.start(i + 1));
            if (a >= b || !present[i]) {
                continue;
            }
            int s = srcOff + (a - from);
            int d = accOff + (a - from);
            if (!seen[i]) {
                System.arraycopy(src, s, acc, d, b - a);
            } else {
                for (int k = 0; k < b - a; k++) {
                    acc[d + k] += src[s + k];
                }
            }
        }
        for (int i = 0; i < layout.segments(); i++) {
            seen[i] |= present[i];
        }
    }

    /** @return whether any shard contributed to segment {@code i} */
    boolean seen(int i) {
        return seen[i];
    }
}
