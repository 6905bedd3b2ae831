package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.nn.GELU;
import dev.lanes.nn.SiLU;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.testkit.Inputs;
import dev.lanes.testkit.OpChecks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Every declared pointwise operation through autograd: F64 gradients against finite differences,
 * F32 against F64, the two providers and 1 vs 2 and 3 threads on a tensor large enough to be
 * split; GELU and SiLU against PyTorch 1.13 ({@code tools/golden/pointwise_golden.py}).
 */
class PointwiseOpsTest {

    @Provide
    Arbitrary<PointwiseOp> op() {
        return Arbitraries.of(PointwiseOp.values());
    }

    @Provide
    Arbitrary<Tensor> small() {
        return Inputs.ofRank(0, 3, 40).map(t -> Ops.mul(t, 4.0).detach());
    }

    @Property(tries = 120)
    void gradientsAndPrecisionsAgree(@ForAll("op") PointwiseOp op, @ForAll("small") Tensor drawn) {
        Tensor x = inDomain(op, drawn);
        OpChecks.assertGradients(in -> Pointwise.apply(op, in[0]), x);
        OpChecks.assertF32MatchesF64(in -> Pointwise.apply(op, in[0]), x);
    }

    /** Positive values for operations defined there only: {@code x^2 + 0.1}. */
    static Tensor inDomain(PointwiseOp op, Tensor x) {
        return op.positiveDomain() ? Ops.add(Ops.mul(x, x), 0.1).detach() : x;
    }

    @Test
    void providersAndThreadCountsGiveTheSameBitsOnASplitTensor() {
        Tensor drawn = Ops.mul(Tensor.uniform(new Generator(3), DType.F64, -1, 1, Elementwise.PARALLEL_MIN + 77), 6.0);
        for (PointwiseOp op : PointwiseOp.values()) {
            Tensor x = inDomain(op, drawn);
            OpChecks.assertProvidersAgree(in -> Pointwise.apply(op, in[0]), 0, x);
            OpChecks.assertThreadCountInvariant(in -> Pointwise.apply(op, in[0]), x);
        }
    }

    record Golden(double[] x, double[] y, double[] dy, double[] dx) {
    }

    static Map<String, Golden> golden() throws IOException {
        Map<String, Golden> cases = new HashMap<>();
        try (InputStream in = PointwiseOpsTest.class.getResourceAsStream("/golden/pointwise.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String key = null;
            Map<String, double[]> v = new HashMap<>();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] p = line.split(" ");
                switch (p[0]) {
                    case "case" -> {
                        key = p[1] + " " + p[2];
                        v.clear();
                    }
                    case "end" -> cases.put(key, new Golden(v.get("x"), v.get("y"), v.get("dy"), v.get("dx")));
                    default -> v.put(p[0], Arrays.stream(p, 1, p.length).mapToDouble(Double::parseDouble).toArray());
                }
            }
        }
        return cases;
    }

    @Test
    void matchesPyTorch() throws IOException {
        Map<String, Golden> cases = golden();
        assertEquals(6, cases.size());
        // The ops declared with the activations (sigmoid, tanh, exp, log) have their PyTorch checks in GoldenAutogradTest.
        for (Map.Entry<String, Golden> e : cases.entrySet()) {
            PointwiseOp op = PointwiseOp.valueOf(e.getKey().split(" ")[0]);
            boolean f64 = e.getKey().endsWith("float64");
            Golden g = e.getValue();
            int n = g.x().length;
            Tensor x = (f64 ? Tensor.of(g.x(), n) : Tensor.of(g.x(), n).to(DType.F32)).requiresGrad(true);
            Tensor y = Pointwise.apply(op, x);
            y.backward(f64 ? Tensor.of(g.dy(), n) : Tensor.of(g.dy(), n).to(DType.F32));
            double[] yv = y.toDoubleArray();
            double[] dx = x.grad().toDoubleArray();
            for (int i = 0; i < n; i++) {
                // F64: the same equations in double; F32: float rounding plus erf's 1.5e-7.
                double tolY = f64 ? 1e-12 * (1 + Math.abs(g.y()[i])) : 2e-6 * (1 + Math.abs(g.y()[i]));
                double tolDx = f64 ? 1e-12 * (1 + Math.abs(g.dx()[i])) : 2e-6 * (1 + Math.abs(g.dx()[i]));
                assertEquals(g.y()[i], yv[i], tolY, e.getKey() + " y at x=" + g.x()[i]);
                assertEquals(g.dx()[i], dx[i], tolDx, e.getKey() + " dx at x=" + g.x()[i]);
            }
        }
    }

    @Test
    void layersAndArguments() {
        Tensor x = Tensor.of(new float[] {-2f, -0.5f, 0f, 0.5f, 2f}, 5);
        assertArrayEquals(Ops.gelu(x).toFloatArray(), new GELU().forward(x).toFloatArray(), 0f);
        assertArrayEquals(Ops.gelu(x, "tanh").toFloatArray(), new GELU("tanh").forward(x).toFloatArray(), 0f);
        assertArrayEquals(Ops.silu(x).toFloatArray(), new SiLU().forward(x).toFloatArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GELU("erf"));
        assertTrue(e.getMessage().contains("'none' or 'tanh'"), e.getMessage());
        assertTrue(new GELU().parameters().isEmpty() && new SiLU().parameters().isEmpty());
        Tensor v = Tensor.of(new double[] {0.3}, 1).requiresGrad(true);
        assertTrue(Ops.gelu(v).toString().contains("GeluBackward0"), Ops.gelu(v).toString());
        assertTrue(Ops.silu(v).toString().contains("SiluBackward0"), Ops.silu(v).toString());
    }
}
