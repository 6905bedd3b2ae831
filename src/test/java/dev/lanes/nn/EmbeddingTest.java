package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.autograd.GradCheck;
import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Embedding: rows by id, gradients to the rows used, PyTorch's names, checks. */
class EmbeddingTest {

    @Test
    void looksUpRowsInTheGivenShape() {
        Embedding e = new Embedding(5, 3, DType.F64, new Generator(3));
        Tensor w = e.weight().tensor();
        Tensor v = e.lookup(new int[] {4, 0, 4, 2, 1, 3}, 3, 2);
        assertArrayEquals(new int[] {3, 2, 3}, v.dims());
        int[] ids = {4, 0, 4, 2, 1, 3};
        for (int i = 0; i < ids.length; i++) {
            for (int k = 0; k < 3; k++) {
                assertEquals(w.get(ids[i], k), v.get(i / 2, i % 2, k));
            }
        }
        assertEquals(List.of("weight"), List.copyOf(e.stateDict().keySet()));
        assertEquals("Embedding(5, 3)", e.toString());
    }

    @Test
    void gradientsReachTheRowsUsedSummedOverRepeats() {
        Embedding e = new Embedding(4, 2, DType.F64, new Generator(1));
        Ops.sum(e.lookup(new int[] {1, 1, 3})).backward();
        assertArrayEquals(new double[] {0, 0, 2, 2, 0, 0, 1, 1}, e.weight().grad().toDoubleArray());
        Tensor w = Tensor.randn(new Generator(2), DType.F64, 4, 2).requiresGrad(true);
        Embedding probe = new Embedding(4, 2, DType.F64, new Generator(1));
        assertNull(GradCheck.check(in -> {
            probe.weight().set(in[0]);
            return Ops.tanh(probe.lookup(new int[] {0, 3, 3, 1}, 2, 2));
        }, w));
    }

    @Test
    void rejectsBadIdsAndShapes() {
        Embedding e = new Embedding(4, 2, new Generator(1));
        assertThrows(IllegalArgumentException.class, () -> e.lookup(new int[] {4}));
        assertThrows(IllegalArgumentException.class, () -> e.lookup(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> e.lookup(new int[] {0, 1, 2}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 2, new Generator(1)));
    }
}
