package dev.lanes.nn;

import static dev.lanes.nn.GoldenFile.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link LayerNorm} (PyTorch's state dict loaded strictly) and {@code Ops.layerNorm} with and
 * without weight and bias, over one and two normalised dimensions, eps from 1e-8 to 0.1, a
 * size-1 row and rows far from 0, against PyTorch 1.13 ({@code tools/golden/layernorm_golden.py}):
 * outputs and the gradients of input, weight and bias match to 1e-10 in F64.
 */
class GoldenLayerNormTest {

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return GoldenFile.read("layernorm.txt").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            if (c.attrs().get("op").equals("module")) {
                module(c);
            } else {
                functional(c);
            }
        }));
    }

    private static double eps(GoldenFile.Case c) {
        return Double.parseDouble(c.attrs().get("eps"));
    }

    private static void module(GoldenFile.Case c) {
        boolean affine = c.attr("affine") == 1;
        LayerNorm ln = new LayerNorm(c.ints("normalized_shape"), eps(c), affine, DType.F64);
        Map<String, Tensor> state = c.withPrefix("state.");
        assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(ln.stateDict().keySet()),
                c.name() + " state dict names and order");
        ln.loadStateDict(state);
        Tensor x = c.t("input").requiresGrad(true);
        Tensor out = ln.forward(x);
        assertMatches(c.name() + " out", c.t("out"), out);
        Ops.sum(Ops.mul(out, c.t("w"))).backward();
        assertMatches(c.name() + " grad.input", c.t("grad.input"), x.grad());
        if (affine) {
            assertMatches(c.name() + " grad.weight", c.t("grad.weight"), ln.weight().grad());
            assertMatches(c.name() + " grad.bias", c.t("grad.bias"), ln.bias().grad());
        }
    }

    private static void functional(GoldenFile.Case c) {
        Tensor x = c.t("input").requiresGrad(true);
        Tensor weight = c.attr("weight") == 1 ? c.t("weight").requiresGrad(true) : null;
        Tensor bias = c.attr("bias") == 1 ? c.t("bias").requiresGrad(true) : null;
        Tensor out = Ops.layerNorm(x, c.ints("normalized_shape"), weight, bias, eps(c));
        assertMatches(c.name() + " out", c.t("out"), out);
        Ops.sum(Ops.mul(out, c.t("w"))).backward();
        assertMatches(c.name() + " grad.input", c.t("grad.input"), x.grad());
        if (weight != null) {
            assertMatches(c.name() + " grad.weight", c.t("grad.weight"), weight.grad());
        }
        if (bias != null) {
            assertMatches(c.name() + " grad.bias", c.t("grad.bias"), bias.grad());
        }
    }
}
