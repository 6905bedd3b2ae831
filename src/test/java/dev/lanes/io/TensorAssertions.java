package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.Map;

/** Bit-for-bit comparison of tensors and ordered tensor maps. */
final class TensorAssertions {

    private TensorAssertions() {
    }

    /** Same dtype, shape and value bits (NaNs compared canonically). */
    static void assertSameTensor(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(expected.dims(), actual.dims(), what + ": shape");
        if (expected.dtype() == DType.F32) {
            float[] e = expected.toFloatArray();
            float[] a = actual.toFloatArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(a[i]), what + ": element " + i);
            }
        } else {
            double[] e = expected.toDoubleArray();
            double[] a = actual.toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(Double.doubleToLongBits(e[i]), Double.doubleToLongBits(a[i]), what + ": element " + i);
            }
        }
    }

    /** Same names in the same order, each tensor the same. */
    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "names in order");
        expected.forEach((k, v) -> assertSameTensor(k, v, actual.get(k)));
    }
}
