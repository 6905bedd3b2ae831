package dev.lanes.kernel.internal;

/**
 * Per-thread scratch arrays for kernels, so a kernel call allocates nothing once its thread has
 * seen the largest size it needs. Each kernel uses its own slot numbers; an array obtained from
 * a slot stays valid until the same thread asks for that slot again.
 */
public final class Scratch {

    /** Slots used by the GEMM kernels. */
    public static final int GEMM_PACKED_A = 0;
    /** Packed panels of B. */
    public static final int GEMM_PACKED_B = 1;
    /** A tile for partial micro-tiles at the matrix edges. */
    public static final int GEMM_EDGE_TILE = 2;
    /** A row accumulator. */
    public static final int GEMM_ROW = 3;
    /** The partial sums of the fixed summation order. */
    public static final int REDUCE_PARTIALS = 4;
    /** A block of the terms of a fixed-order sum whose term calls a function (exp(x - max)). */
    public static final int ROW_TERMS = 5;
    /** A pooled plane's rows, padded and split by column phase. */
    public static final int POOL_ROWS = 6;
    /** The output offsets of a transposition's columns (an int slot). */
    public static final int TRANSPOSE_OFFSETS = 7;
    /** The scratch rows of a generated fused kernel (a layer normalisation's deviations, normalised input, ...). */
    public static final int FUSED_ROWS = 8;
    /** Per-block column sums of a layer normalisation's backward pass. */
    public static final int NORM_PARTIALS = 9;
    /** A batch norm's channel copied into one contiguous run (its input, or its output gradient). */
    public static final int CHANNEL_RUN = 10;
    /** The normalised input of a batch norm's channel, as one contiguous run. */
    public static final int CHANNEL_XHAT = 11;
    /** A convolution's input for one image, zero-padded and channel-blocked (or its padded input gradient). */
    public static final int CONV_INPUT = 12;
    /** A convolution's channel-blocked output for one image (or its blocked output gradient). */
    public static final int CONV_PRODUCT = 13;
    /** The weight gradient's padded input of one image (its own slot: it may run beside the others). */
    public static final int CONV_WEIGHT_INPUT = 14;
    /** The weight gradient's channel-blocked output gradient of one image. */
    public static final int CONV_WEIGHT_GRADIENT = 15;
    /** One block of a convolution's output planes, to be added into a gradient. */
    public static final int CONV_PLANES = 16;
    /** The partial sums of the per-lane fixed-order sums over channel-blocked data. */
    public static final int BLOCKED_PARTIALS = 17;
    /** The block results of a whole per-lane fixed-order sum over channel-blocked data. */
    public static final int BLOCKED_SUMS = 18;
    /** A pooled image's input gradient, summed in double before it is rounded. */
    public static final int POOL_GRADIENT = 19;
    /** One block pair of a convolution's weights on their way into or out of the packed layout. */
    public static final int CONV_WEIGHT_BLOCK = 20;
    /** The accumulators of a matrix-vector product's last, partial group of columns. */
    public static final int GEMV_EDGE = 21;
    private static final int SLOTS = 22;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final float[][] floats = new float[SLOTS][];
    private final double[][] doubles = new double[SLOTS][];
    private final int[][] ints = new int[SLOTS][];

    private Scratch() {
    }

    /**
     * @return a float array of at least {@code size} elements with unspecified contents
     */
    public static float[] floats(int slot, int size) {
        Scratch s = LOCAL.get();
        float[] f = s.floats[slot];
        if (f == null || f.length < size) {
            f = new float[size];
            s.floats[slot] = f;
        }
        return f;
    }

    /**
     * @return a double array of at least {@code size} elements with unspecified contents
     */
    public static double[] doubles(int slot, int size) {
        Scratch s = LOCAL.get();
        double[] d = s.doubles[slot];
        if (d == null || d.length < size) {
            d = new double[size];
            s.doubles[slot] = d;
        }
        return d;
    }

    /**
     * @return an int array of at least {@code size} elements with unspecified contents
     */
    public static int[] ints(int slot, int size) {
        Scratch s = LOCAL.get();
        int[] a = s.ints[slot];
        if (a == null || a.length < size) {
            a = new int[size];
            s.ints[slot] = a;
        }
        return a;
    }
}
