package dev.lanes.io;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Copies one tensor's little-endian bytes out of a (possibly memory-mapped) file into a new
 * Lanes tensor: F32 and F64 as they are, F16 and BF16 widened to F32, which is exact (every
 * half and bfloat16 value, NaN and infinities included, is a float).
 */
final class TensorDecoder {

    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Halves converted per bulk copy. */
    private static final int CHUNK = 8192;

    private TensorDecoder() {
    }

    /**
     * @param data the data buffer (the file after the header)
     * @param e a validated entry of a readable dtype whose sizes fit a Lanes tensor
     * @return the tensor, in new storage
     */
    static Tensor decode(MemorySegment data, Header.Entry e) {
        int[] dims = new int[e.shape().length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (int) e.shape()[i];
        }
        Shape shape = Shape.of(dims);
        int n = shape.numel();
        long at = e.begin();
        switch (e.dtype()) {
            case F32 -> {
                Tensor t = Tensor.zeros(DType.F32, shape);
                MemorySegment.copy(data, F32, at, t.f32(), 0, n);
                return t;
            }
            case F64 -> {
                Tensor t = Tensor.zeros(DType.F64, shape);
                MemorySegment.copy(data, F64, at, t.f64(), 0, n);
                return t;
            }
            case F16, BF16 -> {
                Tensor t = Tensor.zeros(DType.F32, shape);
                widen(data, at, t.f32(), n, e.dtype() == SafeTensorsDType.F16);
                return t;
            }
            default -> throw new IllegalArgumentException("TensorDecoder: " + e.dtype() + " is not readable");
        }
    }

    private static void widen(MemorySegment data, long at, float[] out, int n, boolean half) {
        short[] chunk = new short[Math.min(n, CHUNK)];
        for (int done = 0; done < n; done += chunk.length) {
            int k = Math.min(chunk.length, n - done);
            MemorySegment.copy(data, U16, at + 2L * done, chunk, 0, k);
            for (int i = 0; i < k; i++) {
                out[done + i] = half ? Float.float16ToFloat(chunk[i]) : Float.intBitsToFloat(chunk[i] << 16);
            }
        }
    }
}
