package dev.lanes.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The contents of one IDX file: an element type, the dimensions (outermost first) and the
 * elements in row-major order, kept as the file holds them (big-endian bytes). Immutable.
 *
 * <p>The elements are read back as ints ({@link #intAt}, {@link #toIntArray}) for the integer
 * types, and as doubles or floats ({@link #doubleAt}, {@link #toFloatArray}) for every type.
 */
public final class IdxArray {

    /** The most bytes of data an array may hold: the limit of a Java array. */
    public static final int MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class,
            ByteOrder.BIG_ENDIAN);

    private final IdxType type;
    private final int[] dims;
    private final int count;
    private final byte[] data;

    /**
     * @param type the element type
     * @param dims the dimensions, 1 to 255 of them, each >= 0
     * @param data the elements, big-endian, exactly {@code product(dims) * type.bytes()} bytes;
     *             copied
     * @throws IllegalArgumentException if the dimensions are out of range or do not match the data
     */
    public IdxArray(IdxType type, int[] dims, byte[] data) {
        this(type, dims.clone(), data.clone(), true);
    }

    private IdxArray(IdxType type, int[] dims, byte[] data, boolean check) {
        if (type == null) {
            throw new NullPointerException("IdxArray: type is null");
        }
        long bytes = dataBytes(type, dims);
        if (bytes < 0) {
            throw new IllegalArgumentException("IdxArray: dimensions " + Arrays.toString(dims) + " of type " + type
                    + " are out of range (1-255 dimensions, each >= 0, at most " + MAX_DATA_BYTES + " bytes)");
        }
        if (bytes != data.length) {
            throw new IllegalArgumentException("IdxArray: dimensions " + Arrays.toString(dims) + " of type " + type
                    + " need " + bytes + " bytes of data, got " + data.length);
        }
        this.type = type;
        this.dims = dims;
        this.count = (int) (bytes / type.bytes());
        this.data = data;
    }

    /** Wraps arrays the reader made, without copying them. */
    static IdxArray wrap(IdxType type, int[] dims, byte[] data) {
        return new IdxArray(type, dims, data, false);
    }

    /**
     * The number of data bytes that {@code dims} of {@code type} hold, or -1 when there are no
     * dimensions, more than 255, a negative one, or more than {@link #MAX_DATA_BYTES} bytes.
     */
    static long dataBytes(IdxType type, int[] dims) {
        if (dims.length == 0 || dims.length > 255) {
            return -1;
        }
        long n = type.bytes();
        for (int d : dims) {
            if (d < 0) {
                return -1;
            }
            n *= d;
            if (n > MAX_DATA_BYTES) {
                return -1;
            }
        }
        return n;
    }

    /** Unsigned bytes (type {@link IdxType#UBYTE}); each value must be in 0..255. */
    public static IdxArray ofUnsignedBytes(int[] values, int... dims) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 255) {
                throw new IllegalArgumentException("IdxArray.ofUnsignedBytes: value " + values[i] + " at " + i
                        + " is outside 0..255");
            }
            data[i] = (byte) values[i];
        }
        return new IdxArray(IdxType.UBYTE, dims.clone(), data, true);
    }

    /** 32-bit integers (type {@link IdxType#INT}). */
    public static IdxArray ofInts(int[] values, int... dims) {
        byte[] data = new byte[Math.multiplyExact(values.length, 4)];
        for (int i = 0; i < values.length; i++) {
            INTS.set(data, 4 * i, values[i]);
        }
        return new IdxArray(IdxType.INT, dims.clone(), data, true);
    }

    /** 32-bit floats (type {@link IdxType#FLOAT}), bit for bit. */
    public static IdxArray ofFloats(float[] values, int... dims) {
        byte[] data = new byte[Math.multiplyExact(values.length, 4)];
        for (int i = 0; i < values.length; i++) {
            FLOATS.set(data, 4 * i, values[i]);
        }
        return new IdxArray(IdxType.FLOAT, dims.clone(), data, true);
    }

    /** 64-bit doubles (type {@link IdxType#DOUBLE}), bit for bit. */
    public static IdxArray ofDoubles(double[] values, int... dims) {
        byte[] data = new byte[Math.multiplyExact(values.length, 8)];
        for (int i = 0; i < values.length; i++) {
            DOUBLES.set(data, 8 * i, values[i]);
        }
        return new IdxArray(IdxType.DOUBLE, dims.clone(), data, true);
    }

    /** @return the element type */
    public IdxType type() {
        return type;
    }

    /** @return a copy of the dimensions, outermost first */
    public int[] dims() {
        return dims.clone();
    }

    /** @return the number of dimensions */
    public int rank() {
        return dims.length;
    }

    /** @return the size of dimension {@code i} */
    public int dim(int i) {
        return dims[i];
    }

    /** @return the number of elements, the product of the dimensions */
    public int count() {
        return count;
    }

    /**
     * @param i the flat (row-major) index of an element
     * @return its value, for the integer types
     * @throws IllegalStateException for {@link IdxType#FLOAT} and {@link IdxType#DOUBLE}
     */
    public int intAt(int i) {
        checkIndex(i);
        return switch (type) {
            case UBYTE -> data[i] & 0xFF;
            case BYTE -> data[i];
            case SHORT -> (short) SHORTS.get(data, 2 * i);
            case INT -> (int) INTS.get(data, 4 * i);
            case FLOAT, DOUBLE -> throw new IllegalStateException("IdxArray.intAt: the elements are " + type
                    + ", not integers");
        };
    }

    /**
     * @param i the flat (row-major) index of an element
     * @return its value, exactly, for every type
     */
    public double doubleAt(int i) {
        checkIndex(i);
        return switch (type) {
            case FLOAT -> (float) FLOATS.get(data, 4 * i);
            case DOUBLE -> (double) DOUBLES.get(data, 8 * i);
            default -> intAt(i);
        };
    }

    /**
     * @return every element as an int, for the integer types
     * @throws IllegalStateException for {@link IdxType#FLOAT} and {@link IdxType#DOUBLE}
     */
    public int[] toIntArray() {
        if (!type.isIntegral()) {
            throw new IllegalStateException("IdxArray.toIntArray: the elements are " + type + ", not integers");
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = intAt(i);
        }
        return out;
    }

    /**
     * Every element converted to float (rounded to nearest for INT and DOUBLE) and then divided by
     * {@code divisor} in float arithmetic, as PyTorch's {@code x.float().div(divisor)}: an
     * unsigned-byte image with divisor 255 gives pixels in [0, 1].
     *
     * @param divisor the divisor (1 keeps the values)
     * @return a new array of {@link #count()} floats
     */
    public float[] toFloatArray(float divisor) {
        float[] out = new float[count];
        copyTo(out, 0, divisor);
        return out;
    }

    /**
     * Writes what {@link #toFloatArray(float)} returns into {@code dst} instead of a new array.
     *
     * @param dst       the destination, with room for {@link #count()} floats at {@code offset}
     * @param offset    where the first element goes
     * @param divisor   the divisor (1 keeps the values)
     * @throws IndexOutOfBoundsException if {@code dst} is too short
     */
    public void copyTo(float[] dst, int offset, float divisor) {
        Objects.checkFromIndexSize(offset, count, dst.length);
        if (type == IdxType.UBYTE) {
            for (int i = 0; i < count; i++) {
                dst[offset + i] = (data[i] & 0xFF) / divisor;
            }
        } else {
            for (int i = 0; i < count; i++) {
                dst[offset + i] = (float) doubleAt(i) / divisor;
            }
        }
    }

    /** @return the elements as the file stores them, big-endian (not a copy: do not change it) */
    byte[] data() {
        return data;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("IdxArray: index " + i + " outside 0.." + (count - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxArray a && a.type == type && Arrays.equals(a.dims, dims) && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(dims)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxArray(" + type + ", " + Arrays.toString(dims) + ")";
    }
}
