package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Ops#subsamplePadChannels} gives the bits of the composite it replaces,
 * {@code cat([zeros, x[:, :, ::s, ::s], zeros], 1)}, forward and backward, in both dtypes.
 */
class SubsamplePadChannelsTest {

    private static Tensor composite(Tensor x, int s, int before, int after) {
        Tensor y = Ops.slice(Ops.slice(x, 2, 0, x.size(2), s), 3, 0, x.size(3), s);
        List<Tensor> parts = new ArrayList<>();
        if (before > 0) {
            parts.add(Tensor.zeros(x.dtype(), x.size(0), before, y.size(2), y.size(3)));
        }
        parts.add(y);
        if (after > 0) {
            parts.add(Tensor.zeros(x.dtype(), x.size(0), after, y.size(2), y.size(3)));
        }
        return Ops.cat(parts, 1);
    }

    @Test
    void matchesSlicingAndConcatenatingBitForBit() {
        Random r = new Random(3);
        for (int trial = 0; trial < 60; trial++) {
            DType dtype = trial % 2 == 0 ? DType.F32 : DType.F64;
            int[] d = {1 + r.nextInt(3), 1 + r.nextInt(4), 1 + r.nextInt(9), 1 + r.nextInt(9)};
            int s = 1 + r.nextInt(3);
            int before = r.nextInt(3);
            int after = r.nextInt(3);
            Generator gen = new Generator(trial);
            Tensor x = Tensor.randn(gen, dtype, d).requiresGrad(true);
            Tensor x2 = x.detach().copy().requiresGrad(true);
            Tensor y = Ops.subsamplePadChannels(x, s, before, after);
            Tensor want = composite(x2, s, before, after);
            String what = java.util.Arrays.toString(d) + " stride " + s + " pad " + before + "/" + after;
            assertArrayEquals(want.dims(), y.dims(), what);
            assertArrayEquals(want.toDoubleArray(), y.toDoubleArray(), 0, what);
            Tensor g = Tensor.randn(new Generator(100 + trial), dtype, y.dims());
            y.backward(g);
            want.backward(g);
            assertArrayEquals(x2.grad().toDoubleArray(), x.grad().toDoubleArray(), 0, what);
        }
    }

    @Test
    void rejectsWhatItCannotPad() {
        Tensor x = Tensor.zeros(DType.F32, 2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ops.subsamplePadChannels(x, 2, 1, 1));
        assertTrue(e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        Tensor y = Tensor.zeros(DType.F32, 1, 2, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> Ops.subsamplePadChannels(y, 0, 1, 1));
        e = assertThrows(IllegalArgumentException.class, () -> Ops.subsamplePadChannels(y, 2, -1, 1));
        assertTrue(e.getMessage().contains("before=-1"), e.getMessage());
    }
}
