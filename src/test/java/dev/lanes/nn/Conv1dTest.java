package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.testkit.Inputs;
import dev.lanes.testkit.OpChecks;
import dev.lanes.testkit.Sizes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@code Conv1d} and {@code Ops.conv1d}: PyTorch 1.13's outputs and gradients
 * ({@code tools/golden/conv1d_golden.py}) for stride, padding, dilation, groups, bias and
 * unbatched input; the four checks of the test kit on random shapes; PyTorch's names, shapes and
 * initial bounds; argument errors.
 */
class Conv1dTest {

    record Golden(String name, boolean f64, int stride, int padding, int dilation, int groups,
                  Map<String, Tensor> t) {
    }

    static List<Golden> golden() throws IOException {
        List<Golden> cases = new ArrayList<>();
        try (InputStream in = Conv1dTest.class.getResourceAsStream("/golden/conv1d.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String[] head = null;
            Map<String, Tensor> t = new HashMap<>();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] p = line.split(" ");
                switch (p[0]) {
                    case "case" -> {
                        head = p;
                        t = new HashMap<>();
                    }
                    case "tensor" -> {
                        int[] dims = Arrays.stream(p[2].split(",")).mapToInt(Integer::parseInt).toArray();
                        double[] v = Arrays.stream(p, 3, p.length).mapToDouble(Double::parseDouble).toArray();
                        t.put(p[1], Tensor.of(v, dims));
                    }
                    default -> cases.add(new Golden(head[1], head[2].equals("float64"), value(head[3]),
                            value(head[4]), value(head[5]), value(head[6]), t));
                }
            }
        }
        return cases;
    }

    private static int value(String kv) {
        return Integer.parseInt(kv.substring(kv.indexOf('=') + 1));
    }

    @Test
    void matchesPyTorch() throws IOException {
        List<Golden> cases = golden();
        assertEquals(14, cases.size());
        for (Golden g : cases) {
            DType dt = g.f64() ? DType.F64 : DType.F32;
            Tensor x = g.t().get("x").to(dt).requiresGrad(true);
            Tensor w = g.t().get("w").to(dt).requiresGrad(true);
            Tensor b = g.t().containsKey("b") ? g.t().get("b").to(dt).requiresGrad(true) : null;
            Tensor y = Ops.conv1d(x, w, b, g.stride(), g.padding(), g.dilation(), g.groups());
            Ops.sum(Ops.mul(y, g.t().get("wy").to(dt))).backward();
            double tol = g.f64() ? 1e-12 : 2e-5;
            String what = g.name() + (g.f64() ? " F64" : " F32");
            close(g.t().get("y"), y, tol, what + " y");
            close(g.t().get("grad.x"), x.grad(), tol, what + " grad x");
            close(g.t().get("grad.w"), w.grad(), tol, what + " grad w");
            if (b != null) {
                close(g.t().get("grad.b"), b.grad(), tol, what + " grad b");
            }
        }
    }

    private static void close(Tensor expected, Tensor actual, double tol, String what) {
        assertEquals(List.of(expected.shape().toString()), List.of(actual.shape().toString()), what);
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " element " + i);
        }
    }

    record Case(Tensor x, Tensor w, int stride, int padding, int dilation, int groups) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 2),
                        Sizes.size(9), Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 2))
                .flatAs((groups, perGroup, length, k, stride, padding, dilation) -> {
                    int cin = groups * perGroup;
                    int cout = groups * 2;
                    int len = Math.max(length, dilation * (k - 1) + 1);
                    return Combinators.combine(Inputs.uniform(2, cin, len), Inputs.uniform(cout, perGroup, k))
                            .as((x, w) -> new Case(x, w, stride, padding, dilation, groups));
                });
    }

    @Property(tries = 40)
    void passesTheTestKitsChecks(@ForAll("cases") Case c) {
        Tensor bias = Tensor.uniform(new Generator(7), DType.F64, -1, 1, c.w().size(0));
        OpChecks.assertGradients(in -> Ops.conv1d(in[0], in[1], in[2], c.stride(), c.padding(), c.dilation(),
                c.groups()), c.x(), c.w(), bias);
        OpChecks.assertF32MatchesF64(in -> Ops.conv1d(in[0], in[1], in[2], c.stride(), c.padding(), c.dilation(),
                c.groups()), c.x(), c.w(), bias);
        OpChecks.assertProvidersAgree(in -> Ops.conv1d(in[0], in[1], in[2], c.stride(), c.padding(), c.dilation(),
                c.groups()), 1e-5, c.x(), c.w(), bias);
        OpChecks.assertThreadCountInvariant(in -> Ops.conv1d(in[0], in[1], in[2], c.stride(), c.padding(),
                c.dilation(), c.groups()), c.x(), c.w(), bias);
    }

    @Test
    void layerHasPyTorchsNamesShapesAndBounds() {
        Conv1d conv = new Conv1d(6, 4, 3, 2, 1, 1, 2, true, DType.F32, new Generator(1));
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.stateDict().keySet()));
        assertEquals("[4, 3, 3]", conv.weight().tensor().shape().toString());
        double bound = 1 / Math.sqrt(3 * 3);
        for (float v : conv.weight().tensor().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound, "weight within the Kaiming-uniform bound: " + v);
        }
        Tensor y = conv.forward(Tensor.uniform(new Generator(2), DType.F32, -1, 1, 5, 6, 10));
        assertEquals("[5, 4, 5]", y.shape().toString());
        assertEquals("[4, 5]", conv.forward(Tensor.zeros(DType.F32, 6, 10)).shape().toString());
        assertTrue(conv.toString().contains("Conv1d(6, 4, kernel_size=(3,), stride=(2,), padding=(1,), groups=2)"),
                conv.toString());
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor w = Tensor.zeros(DType.F32, 4, 3, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ops.conv1d(Tensor.zeros(DType.F32, 2, 5, 10), w,
                null, 1, 0, 1, 1)).getMessage().contains("conv1d"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Ops.conv1d(Tensor.zeros(DType.F32, 2, 3, 2), w,
                null, 1, 0, 1, 1)).getMessage().contains("shorter than the kernel"));
        assertThrows(IllegalArgumentException.class, () -> Ops.conv1d(Tensor.zeros(DType.F32, 3, 10), w, null, 0, 0,
                1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(5, 4, 3, 1, 0, 1, 2, true, DType.F32,
                new Generator(1)));
    }
}
