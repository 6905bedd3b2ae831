package dev.lanes.autograd.internal;

/**
 * Work of a plan step that splits into independent output tiles, which a session may spread over
 * the threads ({@link Splitter}). Every element is computed by one tile, with the same arithmetic
 * whichever thread runs it, so results do not depend on the split. Declared while lowering
 * ({@link Lowering#split}); run by a {@link SplitStep} with two arguments of the call (offsets
 * into the arena, say), so that one split serves each of a step's calls.
 */
public final class Split {

    /** The work of one tile. */
    @FunctionalInterface
    public interface Tile {
        /**
         * @param mem  the session's arena
         * @param tile the tile, in {@code [0, tiles)}
         * @param a    the call's first argument
         * @param b    the call's second argument
         */
        void run(float[] mem, int tile, int a, int b);
    }

    final int id;
    final int tiles;
    final Tile work;

    Split(int id, int tiles, Tile work) {
        if (tiles < 1) {
            throw new IllegalArgumentException("a split needs at least one tile, got " + tiles);
        }
        this.id = id;
        this.tiles = tiles;
        this.work = work;
    }
}
