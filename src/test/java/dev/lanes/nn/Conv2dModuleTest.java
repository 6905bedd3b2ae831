package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Conv2d}: parameter names and shapes, PyTorch's initial bounds, the printed form, the output shape. */
class Conv2dModuleTest {

    @Test
    void namesShapesAndInitBoundsFollowPyTorch() {
        Conv2d m = new Conv2d(6, 4, new int[] {3, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2, true,
                DType.F64, new Generator(3));
        assertEquals(List.of("weight", "bias"), List.copyOf(m.stateDict().keySet()));
        assertArrayEquals(new int[] {4, 3, 3, 2}, m.weight().tensor().dims());
        assertArrayEquals(new int[] {4}, m.bias().tensor().dims());
        double bound = 1 / Math.sqrt(3 * 3 * 2);
        for (Tensor t : List.of(m.weight().tensor(), m.bias().tensor())) {
            for (double v : t.toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound, v + " exceeds " + bound);
            }
        }
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)",
                new Conv2d(3, 16, 3, 1, 1, false, new Generator(1)).toString());
        assertEquals("Conv2d(3, 16, kernel_size=(5, 5), stride=(1, 1))", new Conv2d(3, 16, 5, new Generator(1))
                .toString());
    }

    @Test
    void forwardGivesPyTorchOutputShape() {
        Conv2d m = new Conv2d(3, 8, 3, 2, 1, false, new Generator(1));
        assertNull(m.bias());
        Tensor y = m.forward(Tensor.zeros(DType.F32, 2, 3, 9, 8));
        assertArrayEquals(new int[] {2, 8, 5, 4}, y.dims());
    }

    @Test
    void rejectsChannelsNotDivisibleByGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(5, 4,
                new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2, true, DType.F32,
                new Generator(1)));
        assertTrue(e.getMessage().contains("in_channels=5"), e.getMessage());
    }
}
