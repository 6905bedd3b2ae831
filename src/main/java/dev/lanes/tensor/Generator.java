package dev.lanes.tensor;

/**
 * A seeded source of random numbers for initialisation, dropout and shuffling: SplitMix64
 * (Steele, Lea and Flood), whose whole state is one {@code long}, so it can be saved with a
 * checkpoint and restored exactly. The same seed gives the same sequence on every machine and
 * thread count. Not thread-safe: give each thread its own generator.
 */
public final class Generator {

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /** @param seed the seed */
    public Generator(long seed) {
        this.state = seed;
    }

    /** @return the next 64 random bits */
    public long nextLong() {
        long z = (state += GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** @return a uniform double in [0, 1) with 53 random bits */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** @return a uniform double in [lo, hi) */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /**
     * @param bound exclusive upper bound, > 0
     * @return a uniform int in [0, bound), without modulo bias
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Generator.nextInt: bound must be > 0, got " + bound);
        }
        long limit = (1L << 32) - ((1L << 32) % bound);
        long r;
        do {
            r = nextLong() >>> 32;
        } while (r >= limit);
        return (int) (r % bound);
    }

    /**
     * @return a standard normal sample (Marsaglia's polar method; the second sample of each pair
     *         is dropped so that the state alone determines what comes next)
     */
    public double normal() {
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** @return the whole state, for {@link #restore} */
    public long state() {
        return state;
    }

    /** Continues from a state returned by {@link #state()}. */
    public void restore(long savedState) {
        this.state = savedState;
    }
}
