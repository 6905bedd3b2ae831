package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The {@link LayerNorm} module: PyTorch's defaults, names and printing, dtypes, and its argument checks. */
class LayerNormModuleTest {

    @Test
    void defaultsAreTorchs() {
        LayerNorm ln = new LayerNorm(5);
        assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1}, ln.weight().tensor().f32());
        assertArrayEquals(new float[5], ln.bias().tensor().f32());
        assertEquals(1e-5, ln.eps());
        assertTrue(ln.elementwiseAffine());
        assertEquals(10, ln.parameterCount());
        assertEquals("LayerNorm((5,), eps=1.0E-5, elementwise_affine=True)", ln.toString());

        LayerNorm two = new LayerNorm(3, 4);
        assertArrayEquals(new int[] {3, 4}, two.weight().tensor().dims());
        assertArrayEquals(new int[] {3, 4}, two.normalizedShape());
        assertEquals("LayerNorm((3, 4), eps=1.0E-5, elementwise_affine=True)", two.toString());
    }

    @Test
    void withoutAffineThereAreNoParameters() {
        LayerNorm ln = new LayerNorm(new int[] {6}, 1e-3, false, DType.F64);
        assertTrue(ln.stateDict().isEmpty());
        assertNull(ln.weight());
        assertFalse(ln.elementwiseAffine());
        Tensor x = Tensor.randn(new Generator(2), DType.F64, 2, 6);
        assertArrayEquals(Ops.layerNorm(x, new int[] {6}, null, null, 1e-3).toDoubleArray(),
                ln.forward(x).toDoubleArray());
        assertEquals("LayerNorm((6,), eps=0.001, elementwise_affine=False)", ln.toString());
    }

    @Test
    void forwardIsOpsLayerNormInEveryModeAndReachesTheParameters() {
        LayerNorm ln = new LayerNorm(new int[] {2, 5}, DType.F32);
        Tensor x = Tensor.randn(new Generator(4), DType.F32, 3, 2, 5);
        Tensor y = ln.forward(x);
        assertArrayEquals(Ops.layerNorm(x, new int[] {2, 5}, ln.weight().tensor(), ln.bias().tensor(), 1e-5).f32(),
                y.f32());
        ln.eval();
        assertArrayEquals(y.f32(), ln.forward(x).f32());
        Ops.sum(y).backward();
        assertNotNull(ln.weight().grad());
        assertEquals(3, ln.bias().grad().getFlat(0));

        ln.to(DType.F64);
        Tensor y64 = ln.forward(x.to(DType.F64));
        assertEquals(DType.F64, y64.dtype());
        assertArrayEquals(y.toDoubleArray(), y64.toDoubleArray(), 1e-5);
    }

    private static void rejects(String[] fragments, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheShapes() {
        rejects(new String[] {"LayerNorm", "at least one dimension"}, () -> new LayerNorm());
        rejects(new String[] {"LayerNorm", "[3, -1]", "negative"}, () -> new LayerNorm(3, -1));
        rejects(new String[] {"LayerNorm", "eps", "0.0"}, () -> new LayerNorm(new int[] {3}, 0, true, DType.F32));
        rejects(new String[] {"LayerNorm", "eps", "Infinity"},
                () -> new LayerNorm(new int[] {3}, Double.POSITIVE_INFINITY, true, DType.F32));
        LayerNorm ln = new LayerNorm(4);
        rejects(new String[] {"layerNorm", "normalized_shape=[4]", "[2, 5]"},
                () -> ln.forward(Tensor.zeros(DType.F32, 2, 5)));
        rejects(new String[] {"layerNorm", "weight is F32", "input is F64"},
                () -> ln.forward(Tensor.zeros(DType.F64, 2, 4)));
    }
}
