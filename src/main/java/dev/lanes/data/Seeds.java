package dev.lanes.data;

/**
 * Derives independent generator seeds from a loader's seed and coordinates (a stream, an epoch,
 * an index), so that any batch can be made on its own, in any order, on any thread.
 */
final class Seeds {

    /** The stream of the per-epoch shuffles. */
    static final long SHUFFLE = 1;
    /** The stream of the per-sample transforms. */
    static final long TRANSFORM = 2;

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** @return a seed that depends on every argument, well mixed */
    static long derive(long seed, long stream, long epoch, long index) {
        long h = mix(seed + GAMMA);
        h = mix(h + GAMMA + stream);
        h = mix(h + GAMMA + epoch);
        return mix(h + GAMMA + index);
    }

    /** SplitMix64's finaliser: a bijection on longs that spreads every input bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
