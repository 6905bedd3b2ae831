package dev.lanes.kernel.internal;

/**
 * Argument checks of the pointwise and reduction entry points: extents, and the rule that an
 * output either is exactly an input (in place) or shares no element with it; and the checked
 * array lengths of buffers sized from user input ({@link #arrayLength}).
 */
public final class ArrayChecks {

    /**
     * The longest array the JVM allocates whatever the heap: HotSpot refuses the last few
     * lengths below {@link Integer#MAX_VALUE} ("Requested array size exceeds VM limit").
     */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private ArrayChecks() {
    }

    /**
     * The length of an array of {@code sizes[0] x sizes[1] x ...} elements, checked.
     *
     * @param op    the operation, first in the message
     * @param what  what the array holds, for the message ("floats of input")
     * @param sizes the factors, each >= 0
     * @return their product
     * @throws IllegalArgumentException when a size is negative or the product is larger than
     *                                  {@link #MAX_LENGTH}; the message names the sizes and their product
     */
    public static int arrayLength(String op, String what, int... sizes) {
        for (int s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException(op + ": " + what + " has a negative size: "
                        + java.util.Arrays.toString(sizes));
            }
            if (s == 0) {
                return 0;
            }
        }
        long n = 1;
        for (int s : sizes) {
            // Both factors are at most Integer.MAX_VALUE, so the product fits in a long.
            n *= s;
            if (n > MAX_LENGTH) {
                java.math.BigInteger total = java.math.BigInteger.ONE;
                StringBuilder factors = new StringBuilder();
                for (int f : sizes) {
                    total = total.multiply(java.math.BigInteger.valueOf(f));
                    factors.append(factors.isEmpty() ? "" : " x ").append(f);
                }
                throw new IllegalArgumentException(op + ": " + total + " " + what + " (" + factors
                        + ") are more than an array holds (" + MAX_LENGTH + ")");
            }
        }
        return (int) n;
    }

    public static void nonNull(String op, String name, Object array) {
        if (array == null) {
            throw new NullPointerException(op + ": " + name + " is null");
        }
    }

    public static void length(String op, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(op + ": n must be >= 0, got " + n);
        }
    }

    /** {@code n} elements from {@code off} fit in an array of {@code length}. */
    public static void range(String op, String name, int length, int off, int n) {
        if (off < 0 || (long) off + n > length) {
            throw new IllegalArgumentException(op + ": " + name + "[" + off + ", " + ((long) off + n)
                    + ") is outside " + name + ".length = " + length);
        }
    }

    /**
     * The element count of a contiguous {@code rows x cols} matrix.
     *
     * @throws IllegalArgumentException for a negative size, or a count that does not fit in an array
     */
    public static int matrixSize(String op, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": rows and cols must be >= 0, got " + rows + "x" + cols);
        }
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + rows + "x" + cols + " elements do not fit in an array");
        }
        return (int) n;
    }

    /** A {@code rows x cols} matrix with leading dimension {@code ld} from {@code off} fits in {@code length}. */
    public static void matrix(String op, String name, int length, int off, int rows, int cols, int ld) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": rows and cols must be >= 0, got " + rows + "x" + cols);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(op + ": ld" + name + "=" + ld + " is smaller than max(1, cols=" + cols + ")");
        }
        if (off < 0) {
            throw new IllegalArgumentException(op + ": " + name + " offset must be >= 0, got " + off);
        }
        extent(op, name, name, length, off, rows, cols, ld);
    }

    /**
     * A {@code rows x cols} matrix (called {@code matrix} in the message) with leading dimension
     * {@code ld} from {@code off} fits in an array (called {@code array}) of {@code length}.
     */
    public static void extent(String op, String matrix, String array, int length, int off, int rows, int cols, int ld) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (end > length) {
            throw new IllegalArgumentException(op + ": " + matrix + " (" + rows + "x" + cols + ", offset " + off
                    + ", leading dimension " + ld + ") needs " + array + ".length >= " + end + ", but it is " + length);
        }
    }

    /**
     * The output range {@code [outOff, outOff + n)} of {@code out} is the input range of
     * {@code in} exactly, or shares nothing with it.
     */
    public static void inPlaceOrDisjoint(String op, String inName, Object in, int inOff, String outName, Object out,
                                  int outOff, int n) {
        if (in == out && inOff != outOff && n > 0 && inOff < (long) outOff + n && outOff < (long) inOff + n) {
            throw new IllegalArgumentException(op + ": " + outName + "[" + outOff + ", " + ((long) outOff + n)
                    + ") overlaps " + inName + "[" + inOff + ", " + ((long) inOff + n)
                    + ") in the same array without being the same range");
        }
    }

    /**
     * The range {@code [bOff, bOff + bN)} of {@code b} shares no element with the range
     * {@code [aOff, aOff + aN)} of {@code a}; the message names both ranges.
     */
    public static void disjointRanges(String op, String aName, Object a, int aOff, int aN, String bName, Object b, int bOff,
                               int bN) {
        if (a == b && aN > 0 && bN > 0 && aOff < (long) bOff + bN && bOff < (long) aOff + aN) {
            throw new IllegalArgumentException(op + ": " + bName + "[" + bOff + ", " + ((long) bOff + bN)
                    + ") overlaps " + aName + "[" + aOff + ", " + ((long) aOff + aN) + ") in the same array");
        }
    }

    /** Two ranges of possibly different lengths share no element. */
    public static void disjoint(String op, String aName, Object a, int aOff, long aEnd, String bName, Object b, int bOff,
                         long bEnd) {
        if (a == b && aOff < bEnd && bOff < aEnd && aOff < aEnd && bOff < bEnd) {
            throw new IllegalArgumentException(op + ": " + aName + " and " + bName + " overlap in the same array");
        }
    }
}
