package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.lanes.nn.GoldenFile.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
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

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return GoldenFile.read("norm.txt").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            if (c.attrs().get("op").equals("batchnorm")) {
                batchNorm(c);
            } else if (c.attrs().get("op").equals("functional")) {
                functional(c);
            } else {
                pool(c);
            }
        }));
    }

    private static void pool(GoldenFile.Case c) {
        Tensor x = c.t("input").requiresGrad(true);
        Tensor out = switch (c.attrs().get("op")) {
            case "max" -> Ops.maxPool2d(x, c.ints("kernel"), c.ints("stride"), c.ints("padding"), c.ints("dilation"),
                    c.attr("ceil") == 1);
            case "avg" -> Ops.avgPool2d(x, c.ints("kernel"), c.ints("stride"), c.ints("padding"), c.attr("ceil") == 1,
                    c.attr("count_include_pad") == 1);
            default -> Ops.adaptiveAvgPool2d(x, c.ints("output_size"));
        };
        assertMatches(c.name() + " out", c.t("out"), out);
        Ops.sum(Ops.mul(out, c.t("w"))).backward();
        assertMatches(c.name() + " grad.input", c.t("grad.input"), x.grad());
    }

    private static void functional(GoldenFile.Case c) {
        Tensor x = c.t("input").requiresGrad(true);
        Tensor weight = c.t("weight").requiresGrad(true);
        Tensor bias = c.t("bias").requiresGrad(true);
        Tensor rm = c.t("running_mean").copy();
        Tensor rv = c.t("running_var").copy();
        Tensor out = Ops.batchNorm(x, rm, rv, weight, bias, c.attr("training") == 1,
                Double.parseDouble(c.attrs().get("momentum")), Double.parseDouble(c.attrs().get("eps")));
        assertMatches(c.name() + " out", c.t("out"), out);
        Ops.sum(Ops.mul(out, c.t("w"))).backward();
        assertMatches(c.name() + " grad.input", c.t("grad.input"), x.grad());
        assertMatches(c.name() + " grad.weight", c.t("grad.weight"), weight.grad());
        assertMatches(c.name() + " grad.bias", c.t("grad.bias"), bias.grad());
        assertMatches(c.name() + " running_mean", c.t("running_mean_after"), rm);
        assertMatches(c.name() + " running_var", c.t("running_var_after"), rv);
    }

    private static void batchNorm(GoldenFile.Case c) {
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
                    assertMatches(c.name() + " state." + k, c.t("state." + k), state.get(k));
                }
                assertEquals(2, bn.numBatchesTracked());
                bn.eval();
            }
            for (Tensor p : bn.parameters()) {
                p.zeroGrad();
            }
            Tensor x = c.t(step + ".input").requiresGrad(true);
            Tensor out = bn.forward(x);
            assertMatches(c.name() + " " + step + ".out", c.t(step + ".out"), out);
            Ops.sum(Ops.mul(out, c.t(step + ".w"))).backward();
            assertMatches(c.name() + " " + step + ".grad.input", c.t(step + ".grad.input"), x.grad());
            if (affine) {
                assertMatches(c.name() + " " + step + ".grad.weight", c.t(step + ".grad.weight"), bn.weight().grad());
                assertMatches(c.name() + " " + step + ".grad.bias", c.t(step + ".grad.bias"), bn.bias().grad());
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
        assertMatches(c.name() + " reloaded eval.out", c.t("eval.out"), fresh.forward(c.t("eval.input")));
        assertArrayEquals(bn.stateDict().get("running_var").toDoubleArray(),
                fresh.stateDict().get("running_var").toDoubleArray());
    }
}
