package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Modules: PyTorch's names and order, strict and atomic loading, modes, dtype conversion, Linear. */
class ModuleTest {

    static Sequential mlp() {
        Generator g = new Generator(7);
        return new Sequential(new Linear(4, 8, g), new Tanh(), new Linear(8, 3, true, DType.F32, g), new Sigmoid());
    }

    @Test
    void namesAndOrderAreTorchs() {
        Sequential m = mlp();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(List.copyOf(m.stateDict().keySet()), List.copyOf(m.namedParameters().keySet()));
        assertEquals(4 * 8 + 8 + 8 * 3 + 3, m.parameterCount());
        assertEquals("Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): Tanh()\n"
                + "  (2): Linear(in_features=8, out_features=3, bias=True)\n  (3): Sigmoid()\n)", m.toString());
    }

    @Test
    void linearIsInitialisedAndComputesLikeTorch() {
        Linear l = new Linear(25, 40, true, DType.F64, new Generator(1));
        double bound = 1 / Math.sqrt(25);
        double max = 0;
        for (double v : l.weight().tensor().toDoubleArray()) {
            assertTrue(Math.abs(v) <= bound);
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0.9 * bound, "weights use the whole range");
        for (double v : l.bias().tensor().toDoubleArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        Tensor x = Tensor.randn(new Generator(2), DType.F64, 3, 25);
        Tensor y = l.forward(x);
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 40; o++) {
                double want = l.bias().tensor().get(o);
                for (int k = 0; k < 25; k++) {
                    want += x.get(i, k) * l.weight().tensor().get(o, k);
                }
                assertEquals(want, y.get(i, o), 1e-13);
            }
        }
    }

    @Test
    void stateDictRoundTripsAndLoadingIsStrictAndAtomic() {
        Sequential a = mlp();
        Sequential b = new Sequential(new Linear(4, 8, new Generator(99)), new Tanh(),
                new Linear(8, 3, new Generator(98)), new Sigmoid());
        b.loadStateDict(a.stateDict());
        Tensor x = Tensor.randn(new Generator(3), DType.F32, 5, 4);
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());

        Map<String, Tensor> bad = new LinkedHashMap<>(a.stateDict());
        bad.remove("2.bias");
        bad.put("extra", Tensor.zeros(DType.F32, 1));
        bad.put("0.weight", Tensor.zeros(DType.F32, 4, 8));
        Sequential c = mlp();
        float[] before = c.stateDict().get("0.bias").toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.loadStateDict(bad));
        assertTrue(e.getMessage().contains("missing key '2.bias'"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected key 'extra'"), e.getMessage());
        assertTrue(e.getMessage().contains("'0.weight' has shape [4, 8] in the state dict but [8, 4] in the module"),
                e.getMessage());
        assertArrayEquals(before, c.stateDict().get("0.bias").toFloatArray(), "nothing changed");

        Map<String, Tensor> partial = new LinkedHashMap<>();
        partial.put("0.bias", Tensor.ones(DType.F64, 8));
        Tensor biasBefore = c.namedParameters().get("0.bias");
        c.loadStateDict(partial, false);
        assertSame(biasBefore, c.namedParameters().get("0.bias"), "loaded in place, as PyTorch does");
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, c.stateDict().get("0.bias").toFloatArray());
        assertEquals(DType.F32, c.stateDict().get("0.bias").dtype(), "converted to the module's dtype");
    }

    @Test
    void modesDtypeAndGradients() {
        Sequential m = mlp();
        assertTrue(m.isTraining());
        m.eval();
        assertTrue(!m.get(0).isTraining() && !m.isTraining());
        m.train();
        assertTrue(m.get(2).isTraining());
        m.to(DType.F64);
        for (Tensor p : m.parameters()) {
            assertEquals(DType.F64, p.dtype());
            assertTrue(p.requiresGrad() && p.isLeaf());
        }
        Tensor loss = Ops.sum(m.forward(Tensor.ones(DType.F64, 2, 4)));
        loss.backward();
        for (Tensor p : m.parameters()) {
            assertEquals(p.shape(), p.grad().shape());
        }
        m.zeroGrad();
        for (Tensor p : m.parameters()) {
            assertEquals(null, p.grad());
        }
    }
}
