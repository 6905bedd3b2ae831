package dev.lanes.testkit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * jqwik arbitraries of tensor sizes and shapes that reach the edges of Lanes' kernels: 1, small
 * primes, and sizes just around the vector widths (8 and 16 floats) and their multiples, where
 * the main loops hand over to their tails.
 */
public final class Sizes {

    private static final int[] INTERESTING = {1, 2, 3, 5, 7, 8, 9, 13, 15, 16, 17, 23, 31, 32, 33};

    private Sizes() {
    }

    /** @return a size from {@code 1, 2, 3, 5, 7, 8, 9, 13, 15, 16, 17, 23, 31, 32, 33} */
    public static Arbitrary<Integer> size() {
        Integer[] values = new Integer[INTERESTING.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = INTERESTING[i];
        }
        return Arbitraries.of(values);
    }

    /**
     * @param maxSize the largest size wanted (at least 1)
     * @return a size from {@link #size()} no larger than {@code maxSize}
     */
    public static Arbitrary<Integer> size(int maxSize) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("Sizes.size: maxSize must be >= 1, got " + maxSize);
        }
        return size().filter(n -> n <= maxSize);
    }

    /**
     * @param minRank  the smallest rank (at least 0)
     * @param maxRank  the largest rank
     * @param maxElems the largest element count of a shape (at least 1): gradient checks cost a
     *                 backward pass per output element, so keep it small for them
     * @return shapes whose sizes come from {@link #size()}
     */
    public static Arbitrary<int[]> shape(int minRank, int maxRank, int maxElems) {
        if (minRank < 0 || maxRank < minRank || maxElems < 1) {
            throw new IllegalArgumentException("Sizes.shape: need 0 <= minRank <= maxRank and maxElems >= 1, got "
                    + minRank + ", " + maxRank + ", " + maxElems);
        }
        return Arbitraries.integers().between(minRank, maxRank)
                .flatMap(rank -> size().array(int[].class).ofSize(rank))
                .filter(dims -> {
                    long n = 1;
                    for (int d : dims) {
                        n *= d;
                    }
                    return n <= maxElems;
                });
    }
}
