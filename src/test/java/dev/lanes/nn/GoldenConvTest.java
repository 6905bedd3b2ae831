package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.autograd.Ops;
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
 * {@link Conv2d} against PyTorch 1.13 ({@code tools/golden/conv_golden.py}): stride with padding,
 * dilation, groups and no bias. PyTorch's state dict loads by its names; the output, the loss
 * and the gradients of the input and of every parameter match to 1e-10 in F64, and the printed
 * form matches {@code extra_repr}.
 */
class GoldenConvTest {

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return GoldenFile.read("conv.txt").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Conv2d m = new Conv2d(c.attr("in_channels"), c.attr("out_channels"), c.ints("kernel"),
                    c.ints("stride"), c.ints("padding"), c.ints("dilation"), c.attr("groups"),
                    c.attr("bias") == 1, DType.F64, new Generator(1));
            assertEquals("Conv2d(" + c.attrs().get("repr") + ")", m.toString().replace(" ", ""), "repr");
            Map<String, Tensor> params = c.withPrefix("param.");
            m.loadStateDict(params);
            assertEquals(List.copyOf(params.keySet()), List.copyOf(m.stateDict().keySet()), "state-dict names");
            Tensor x = c.tensors().get("input").requiresGrad(true);
            Tensor y = m.forward(x);
            GoldenFile.assertMatches("output", c.tensors().get("out.output"), y);
            Tensor loss = Ops.sum(Ops.mul(y, c.tensors().get("w.output")));
            GoldenFile.assertMatches("loss", c.tensors().get("loss"), loss);
            loss.backward();
            GoldenFile.assertMatches("grad input", c.tensors().get("grad.input"), x.grad());
            Map<String, Tensor> named = m.namedParameters();
            c.withPrefix("grad.param.").forEach((k, g) ->
                    GoldenFile.assertMatches("grad " + k, g, named.get(k).grad()));
        }));
    }
}
