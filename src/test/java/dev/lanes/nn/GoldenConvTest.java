package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Conv2d} against PyTorch 1.13 ({@code tools/golden/conv_golden.py}): stride with padding,
 * dilation, groups and no bias. PyTorch's state dict loads by its names; the output, the loss
 * and the gradients of the input and of every parameter match to 1e-10 in F64, and the printed
 * form matches {@code extra_repr}.
 */
class GoldenConvTest {

    static List<GoldenRecurrentTest.Case> cases() throws IOException {
        List<GoldenRecurrentTest.Case> out = new ArrayList<>();
        try (InputStream in = GoldenConvTest.class.getResourceAsStream("/golden/conv.txt")) {
            assertNotNull(in, "golden/conv.txt is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            GoldenRecurrentTest.Case current = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] p = line.split(" ");
                switch (p[0]) {
                    case "case" -> {
                        Map<String, String> attrs = new java.util.LinkedHashMap<>();
                        for (int i = 2; i < p.length; i++) {
                            int eq = p[i].indexOf('=');
                            attrs.put(p[i].substring(0, eq), p[i].substring(eq + 1));
                        }
                        current = new GoldenRecurrentTest.Case(p[1], attrs, new java.util.LinkedHashMap<>());
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

    static int[] pair(GoldenRecurrentTest.Case c, String key) {
        return Arrays.stream(c.attrs().get(key).split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Conv2d m = new Conv2d(c.attr("in_channels"), c.attr("out_channels"), pair(c, "kernel"),
                    pair(c, "stride"), pair(c, "padding"), pair(c, "dilation"), c.attr("groups"),
                    c.attr("bias") == 1, DType.F64, new Generator(1));
            assertEquals("Conv2d(" + c.attrs().get("repr") + ")", m.toString().replace(" ", ""), "repr");
            Map<String, Tensor> params = c.withPrefix("param.");
            m.loadStateDict(params);
            assertEquals(List.copyOf(params.keySet()), List.copyOf(m.stateDict().keySet()), "state-dict names");
            Tensor x = c.tensors().get("input").requiresGrad(true);
            Tensor y = m.forward(x);
            GoldenRecurrentTest.assertMatches("output", c.tensors().get("out.output"), y);
            Tensor loss = Ops.sum(Ops.mul(y, c.tensors().get("w.output")));
            GoldenRecurrentTest.assertMatches("loss", c.tensors().get("loss"), loss);
            loss.backward();
            GoldenRecurrentTest.assertMatches("grad input", c.tensors().get("grad.input"), x.grad());
            Map<String, Tensor> named = m.namedParameters();
            c.withPrefix("grad.param.").forEach((k, g) ->
                    GoldenRecurrentTest.assertMatches("grad " + k, g, named.get(k).grad()));
        }));
    }
}
