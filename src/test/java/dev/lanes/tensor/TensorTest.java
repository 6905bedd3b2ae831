package dev.lanes.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.internal.DataMovement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Tensor data: factories, shapes, views, conversions, broadcasting and the seeded generator. */
class TensorTest {

    private static void rejects(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void factories() {
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(DType.F32, 2, 3).toDoubleArray());
        assertArrayEquals(new double[] {2.5, 2.5}, Tensor.full(DType.F64, 2.5, 2).toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1}, Tensor.ones(DType.F32, 3).toDoubleArray());
        assertArrayEquals(new double[] {0, 1, 2, 3}, Tensor.arange(DType.F64, 4).toDoubleArray());
        assertArrayEquals(new double[] {1, 0.5, 0}, Tensor.arange(DType.F64, 1, -0.25, -0.5).toDoubleArray());
        assertEquals(0, Tensor.arange(DType.F32, 3, 1, 1).numel());
        Tensor s = Tensor.scalar(DType.F32, 7);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(7, s.item());
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        data[0] = 99;
        assertEquals(1, t.get(0, 0), "of copies its data");
        assertEquals(6, t.get(-1, -1));
        rejects("of: 6 values do not fill shape [4] (4 elements)", () -> Tensor.of(new float[6], 4));
        rejects("get: index 2 is out of range for dimension 0 of size 2", () -> t.get(2, 0));
        rejects("item: a tensor of shape [2, 3] has 6 elements, not 1", t::item);
        rejects("shape [2, -1] has a negative size", () -> Shape.of(2, -1));
    }

    @Test
    void viewsShareStorageAndInferOneSize() {
        Tensor t = Tensor.arange(DType.F32, 12);
        Tensor v = t.view(3, -1);
        assertEquals(Shape.of(3, 4), v.shape());
        v.f32()[5] = -1;
        assertEquals(-1, t.getFlat(5));
        rejects("view: shape [5, -1] is invalid for [12] (12 elements)", () -> t.view(5, -1));
        rejects("view: only one size may be -1, got [-1, -1]", () -> t.view(-1, -1));
        rejects("view: shape [2, 5] is invalid for [12] (12 elements)", () -> t.view(2, 5));
    }

    @Test
    void conversionsAndCopies() {
        Tensor t = Tensor.of(new double[] {0.1, 1e40}, 2);
        Tensor f = t.to(DType.F32);
        assertEquals(DType.F32, f.dtype());
        assertEquals(0.1f, f.f32()[0]);
        assertEquals(Float.POSITIVE_INFINITY, f.f32()[1]);
        assertSame(t, t.to(DType.F64));
        Tensor c = t.copy();
        c.setFlat(0, 5);
        assertEquals(0.1, t.getFlat(0));
        assertThrows(IllegalStateException.class, t::f32);
    }

    @Test
    void broadcastingFollowsNumPy() {
        assertEquals(Shape.of(2, 3, 4), Shape.broadcast("op", Shape.of(3, 1), Shape.of(2, 1, 4)));
        assertEquals(Shape.of(5), Shape.broadcast("op", Shape.scalar(), Shape.of(5)));
        assertEquals(Shape.of(0, 3), Shape.broadcast("op", Shape.of(0, 1), Shape.of(3)));
        rejects("mul: shapes [2, 3] and [4] do not broadcast (dimension 1 of the result: 3 vs 4)",
                () -> Shape.broadcast("mul", Shape.of(2, 3), Shape.of(4)));
        Tensor a = Tensor.of(new double[] {1, 2}, 2, 1);
        assertArrayEquals(new double[] {1, 1, 1, 2, 2, 2}, DataMovement.expand(a, Shape.of(2, 3)).toDoubleArray());
        Tensor g = Tensor.arange(DType.F64, 6).view(2, 3);
        assertArrayEquals(new double[] {3, 12}, DataMovement.sumTo(g, Shape.of(2, 1)).toDoubleArray());
        assertArrayEquals(new double[] {3, 5, 7}, DataMovement.sumTo(g, Shape.of(3)).toDoubleArray());
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, DataMovement.permute(g, new int[] {1, 0}).toDoubleArray());
    }

    @Test
    void generatorIsSeededAndRestorable() {
        Generator a = new Generator(42);
        Generator b = new Generator(42);
        Tensor x = Tensor.randn(a, DType.F64, 1000);
        assertArrayEquals(x.toDoubleArray(), Tensor.randn(b, DType.F64, 1000).toDoubleArray());
        double mean = 0;
        double sq = 0;
        for (double v : x.toDoubleArray()) {
            mean += v / 1000;
            sq += v * v / 1000;
        }
        assertEquals(0, mean, 0.1);
        assertEquals(1, sq, 0.15);
        long state = a.state();
        double next = a.normal();
        a.restore(state);
        assertEquals(next, a.normal());
        assertNotEquals(new Generator(1).nextLong(), new Generator(2).nextLong());
        for (double v : Tensor.rand(new Generator(3), DType.F32, 500).toDoubleArray()) {
            assertTrue(v >= 0 && v < 1);
        }
        int[] counts = new int[3];
        Generator g = new Generator(5);
        for (int i = 0; i < 3000; i++) {
            counts[g.nextInt(3)]++;
        }
        for (int c : counts) {
            assertEquals(1000, c, 120);
        }
    }
}
