package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * BatchNorm2d (two training steps, the running statistics and state dict after them, then
 * evaluation), {@code Ops.batchNorm} on [N, C] and [N, C, L] inputs, and max, average and adaptive average pooling against PyTorch 1.13
 * ({@code tools/golden/norm_golden.py}): outputs and gradients match to 1e-10 in F64.
 */
class GoldenNormTest {

    private static final double TOL = 1e-10;

    record Case(String name, Map<String, String> attrs, Map<String, Tensor> tensors) {

        int attr(String k) {
            return Integer.parseInt(attrs.get(k));
        }

        int[] pair(String k) {
            String[] p = attrs.get(k).split(",");
            return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        }

        Tensor t(String k) {
            Tensor t = tensors.get(k);
            assertNotNull(t, name + ": no tensor " + k);
            return t;
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        try (InputStream in = GoldenNormTest.class.getResourceAsStream("/golden/norm.txt")) {
            assertNotNull(in, "golden/norm.txt is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Case current = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] p = line.split(" ");
                switch (p[0]) {
                    case "case" -> {
                        Map<String, String> attrs = new LinkedHashMap<>();
                        for (int i = 2; i < p.length; i++) {
                            String[] kv = p[i].split("=");
                            attrs.put(kv[0], kv[1]);
                        }
                        current = new Case(p[1], attrs, new LinkedHashMap<>());
                    }
                    case "tensor" -> current.tensors().put(p[1], GoldenRecurrentTest.parse(p));
                    case "end" -> out.add(current);
                    default -> {
                    }
                }
            }
        }
        return out;
    }

    static void assertClose(String what, Tensor expected, Tensor actual) {
        assertNotNull(actual, what + " is null");
        assertEquals(expected.shape(), actual.shape(), what + " shape");
        for (int i = 0; i < expected.numel(); i++) {
            double e = expected.getFlat(i);
            double a = actual.getFlat(i);
            assertTrue(Math.abs(e - a) <= TOL * Math.max(1, Math.abs(e)),
                    what + "[" + i + "]: expected " + e + " but got " + a);
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            if (c.attrs().get("op").equals("batchnorm")) {
                batchNorm(c);
            } else if (c.attrs().get("op").equals("functional")) {
                functional(c);
            } else {
                pool(c);
            }
        }));
    }

    private static void pool(Case c) {
        Tensor x = c.t("input").requiresGrad(true);
        Tensor out = switch (c.attrs().get("op")) {
            case "max" -> Ops.maxPool2d(x, c.pair("kernel"), c.pair("stride"), c.pair("padding"), c.pair("dilation"),
                    c.attr("ceil") == 1);
            case "avg" -> Ops.avgPool2d(x, c.pair("kernel"), c.pair("stride"), c.pair("padding"), c.attr("ceil") == 1,
                    c.attr("count_include_pad") == 1);
            default -> Ops.adaptiveAvgPool2d(x, c.pair("output_size"));
        };
        assertClose(c.name() + " out", c.t("out"), out);
        Ops.sum(Ops.mul(out, c.t("w"))).backward();
        assertClose(c.name() + " grad.input", c.t("grad.input"), x.grad());
    }

    private static void functional(Case c) {
        Tensor x = c.t("input").requiresGrad(true);
        Tensor weight = c.t("weight").requiresGrad(true);
        Tensor bias = c.t("bias").requiresGrad(true);
        Tensor rm = c.t("running_mean").copy();
        Tensor rv = c.t("running_var").copy();
        Tensor out = Ops.batchNorm(x, rm, rv, weight, bias, c.attr("training") == 1,
                Double.parseDouble(c.attrs().get("momentum")), Double.parseDouble(c.attrs().get("eps")));
        assertClose(c.name() + " out", c.t("out"), out);
        Ops.sum(Ops.mul(out, c.t("w"))).backward();
        assertClose(c.name() + " grad.input", c.t("grad.input"), x.grad());
        assertClose(c.name() + " grad.weight", c.t("grad.weight"), weight.grad());
        assertClose(c.name() + " grad.bias", c.t("grad.bias"), bias.grad());
        assertClose(c.name() + " running_mean", c.t("running_mean_after"), rm);
        assertClose(c.name() + " running_var", c.t("running_var_after"), rv);
    }

    private static void batchNorm(Case c) {
        boolean affine = c.attr("affine") == 1;
        BatchNorm2d bn = new BatchNorm2d(c.attr("c"), Double.parseDouble(c.attrs().get("eps")),
                Double.parseDouble(c.attrs().get("momentum")), affine, true, DType.F64);
        if (affine) {
            Map<String, Tensor> params = new LinkedHashMap<>();
            params.put("weight", c.t("param.weight"));
            params.put("bias", c.t("param.bias"));
            bn.loadStateDict(params, false);
        }
        for (String step : new String[] {"step1", "step2", "eval"}) {
            if (step.equals("eval")) {
                Map<String, Tensor> state = bn.stateDict();
                List<String> expectedKeys = new ArrayList<>();
                c.tensors().keySet().stream().filter(k -> k.startsWith("state."))
                        .forEach(k -> expectedKeys.add(k.substring(6)));
                assertEquals(expectedKeys, new ArrayList<>(state.keySet()), "state dict names and order");
                for (String k : expectedKeys) {
                    assertClose(c.name() + " state." + k, c.t("state." + k), state.get(k));
                }
                assertEquals(2, bn.numBatchesTracked());
                bn.eval();
            }
            for (Tensor p : bn.parameters()) {
                p.zeroGrad();
            }
            Tensor x = c.t(step + ".input").requiresGrad(true);
            Tensor out = bn.forward(x);
            assertClose(c.name() + " " + step + ".out", c.t(step + ".out"), out);
            Ops.sum(Ops.mul(out, c.t(step + ".w"))).backward();
            assertClose(c.name() + " " + step + ".grad.input", c.t(step + ".grad.input"), x.grad());
            if (affine) {
                assertClose(c.name() + " " + step + ".grad.weight", c.t(step + ".grad.weight"), bn.weight().grad());
                assertClose(c.name() + " " + step + ".grad.bias", c.t(step + ".grad.bias"), bn.bias().grad());
            }
        }
        // PyTorch's saved state loads strictly into a fresh module and gives the same evaluation output.
        Map<String, Tensor> saved = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("state.")) {
                saved.put(k.substring(6), v);
            }
        });
        BatchNorm2d fresh = new BatchNorm2d(c.attr("c"), Double.parseDouble(c.attrs().get("eps")),
                Double.parseDouble(c.attrs().get("momentum")), affine, true, DType.F64);
        fresh.loadStateDict(saved);
        fresh.eval();
        assertClose(c.name() + " reloaded eval.out", c.t("eval.out"), fresh.forward(c.t("eval.input")));
        assertArrayEquals(bn.stateDict().get("running_var").toDoubleArray(),
                fresh.stateDict().get("running_var").toDoubleArray());
    }
}
