package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lanes.autograd.Ops;
import dev.lanes.nn.models.BasicBlock;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
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
 * A ResNet BasicBlock with a projection shortcut against PyTorch 1.13
 * ({@code tools/golden/block_golden.py}), training mode, F64: PyTorch's state dict loads by its
 * names; the output, the input and parameter gradients and the running statistics after the
 * step match to 1e-10.
 */
class GoldenBlockTest {

    record Case(String name, Map<String, Integer> attrs, Map<String, Tensor> tensors) {

        Map<String, Tensor> withPrefix(String prefix) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            tensors.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.put(k.substring(prefix.length()), v);
                }
            });
            return out;
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        try (InputStream in = GoldenBlockTest.class.getResourceAsStream("/golden/block.txt")) {
            assertNotNull(in, "golden/block.txt is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Case current = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] p = line.split(" ");
                switch (p[0]) {
                    case "case" -> {
                        Map<String, Integer> attrs = new LinkedHashMap<>();
                        for (int i = 2; i < p.length; i++) {
                            String[] kv = p[i].split("=");
                            attrs.put(kv[0], Integer.parseInt(kv[1]));
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

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            BasicBlock block = new BasicBlock(c.attrs().get("in"), c.attrs().get("out"), c.attrs().get("stride"),
                    Shortcut.PROJECTION, true, DType.F64, new Generator(1));
            Map<String, Tensor> before = c.withPrefix("param.");
            block.loadStateDict(before);
            assertEquals(List.copyOf(before.keySet()), List.copyOf(block.stateDict().keySet()), "state-dict names");
            Tensor x = c.tensors().get("input").requiresGrad(true);
            Tensor out = block.forward(x);
            GoldenRecurrentTest.assertMatches("out", c.tensors().get("out"), out);
            Ops.sum(Ops.mul(out, c.tensors().get("w"))).backward();
            GoldenRecurrentTest.assertMatches("grad input", c.tensors().get("grad.input"), x.grad());
            Map<String, Tensor> params = block.namedParameters();
            c.withPrefix("grad.param.").forEach((k, g) ->
                    GoldenRecurrentTest.assertMatches("grad " + k, g, params.get(k).grad()));
            Map<String, Tensor> after = block.stateDict();
            c.withPrefix("after.").forEach((k, v) -> GoldenRecurrentTest.assertMatches("after " + k, v, after.get(k)));
        }));
    }
}
