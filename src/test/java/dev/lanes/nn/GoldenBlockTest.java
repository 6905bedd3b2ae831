package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.autograd.Ops;
import dev.lanes.nn.models.BasicBlock;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
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

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return GoldenFile.read("block.txt").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            BasicBlock block = new BasicBlock(c.attr("in"), c.attr("out"), c.attr("stride"),
                    Shortcut.PROJECTION, true, DType.F64, new Generator(1));
            Map<String, Tensor> before = c.withPrefix("param.");
            block.loadStateDict(before);
            assertEquals(List.copyOf(before.keySet()), List.copyOf(block.stateDict().keySet()), "state-dict names");
            Tensor x = c.tensors().get("input").requiresGrad(true);
            Tensor out = block.forward(x);
            GoldenFile.assertMatches("out", c.tensors().get("out"), out);
            Ops.sum(Ops.mul(out, c.tensors().get("w"))).backward();
            GoldenFile.assertMatches("grad input", c.tensors().get("grad.input"), x.grad());
            Map<String, Tensor> params = block.namedParameters();
            c.withPrefix("grad.param.").forEach((k, g) ->
                    GoldenFile.assertMatches("grad " + k, g, params.get(k).grad()));
            Map<String, Tensor> after = block.stateDict();
            c.withPrefix("after.").forEach((k, v) -> GoldenFile.assertMatches("after " + k, v, after.get(k)));
        }));
    }
}
