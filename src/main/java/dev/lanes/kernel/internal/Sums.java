package dev.lanes.kernel.internal;


/**
 * Pieces of the fixed summation order described in {@link ReductionKernels}, shared by the
 * providers so that they cannot drift apart.
 */
public final class Sums {

    /** Terms per block. */
    public static final int BLOCK = ReductionKernels.SUM_BLOCK;
    /** Partial sums per block. */
    public static final int PARTIALS = ReductionKernels.SUM_PARTIALS;

    private Sums() {
    }

    /** The thread's array of {@link #PARTIALS} single precision partial sums, contents unspecified. */
    public static float[] floatPartials() {
        return Scratch.floats(Scratch.REDUCE_PARTIALS, PARTIALS);
    }

    /** The thread's array of {@link #PARTIALS} double precision partial sums, contents unspecified. */
    public static double[] doublePartials() {
        return Scratch.doubles(Scratch.REDUCE_PARTIALS, PARTIALS);
    }

    /** Folds the partials in halves (p[j] += p[j + w], w = 32 ... 1) and returns p[0]. */
    public static float fold(float[] p) {
        for (int w = PARTIALS / 2; w >= 1; w >>= 1) {
            for (int j = 0; j < w; j++) {
                p[j] += p[j + w];
            }
        }
        return p[0];
    }

    /** Folds the partials in halves and returns p[0]. */
    public static double fold(double[] p) {
        for (int w = PARTIALS / 2; w >= 1; w >>= 1) {
            for (int j = 0; j < w; j++) {
                p[j] += p[j + w];
            }
        }
        return p[0];
    }
}
