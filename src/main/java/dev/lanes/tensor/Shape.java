package dev.lanes.tensor;

import java.util.Arrays;

/**
 * An immutable tensor shape: the size of each dimension, outermost first. A shape of rank 0 is a
 * scalar with one element. Dimensions may be 0.
 */
public final class Shape {

    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final int numel;

    private Shape(int[] dims) {
        this.dims = dims;
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        this.numel = (int) n;
    }

    /**
     * @param dims sizes, each >= 0
     * @return the shape
     * @throws IllegalArgumentException if a size is negative or there are more than 2^31 - 1 elements
     */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a negative size");
            }
        }
        return new Shape(dims.clone());
    }

    /** The shape of a scalar (rank 0, one element). */
    public static Shape scalar() {
        return SCALAR;
    }

    /** @return the number of dimensions */
    public int rank() {
        return dims.length;
    }

    /** @return the number of elements (1 for a scalar) */
    public int numel() {
        return numel;
    }

    /**
     * @param dim a dimension, negative counting from the end
     * @return its size
     */
    public int size(int dim) {
        return dims[normalize("size", dim)];
    }

    /** @return a copy of the sizes */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * The row-major strides (elements between neighbours along each dimension).
     *
     * @return a new array of strides
     */
    public int[] strides() {
        int[] s = new int[dims.length];
        int stride = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride *= dims[i];
        }
        return s;
    }

    /**
     * Maps a possibly negative dimension index into {@code [0, rank)}.
     *
     * @throws IllegalArgumentException naming {@code op} when it is out of range
     */
    public int normalize(String op, int dim) {
        int r = dims.length;
        int d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= Math.max(r, 0) || r == 0) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for shape " + this
                    + " (expected in [" + -r + ", " + (r - 1) + "])");
        }
        return d;
    }

    /** @return this shape without dimension {@code dim} (already normalised) */
    public Shape without(int dim) {
        int[] d = new int[dims.length - 1];
        System.arraycopy(dims, 0, d, 0, dim);
        System.arraycopy(dims, dim + 1, d, dim, dims.length - dim - 1);
        return of(d);
    }

    /**
     * The NumPy broadcast of two shapes: aligned at the last dimension, each pair of sizes equal
     * or one of them 1.
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not broadcast
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        if (a.equals(b)) {
            return a;
        }
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b
                        + " do not broadcast (dimension " + i + " of the result: " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return of(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** @return the sizes as PyTorch prints them, e.g. {@code [3, 4]} */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
