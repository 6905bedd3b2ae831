package dev.lanes.nn;

import static dev.lanes.nn.GoldenFile.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * RNN, LSTM and GRU layers and cells against PyTorch 1.13 ({@code tools/golden/recurrent_golden.py}):
 * PyTorch's state dict (two biases, both non-zero) loads by its names; outputs, the loss and the
 * gradients of the input, the initial states and every parameter match to 1e-10 in F64. Where
 * Lanes keeps one bias, its gradient equals the gradient PyTorch gives each of its two.
 */
class GoldenRecurrentTest {

    static Layer build(GoldenFile.Case c) {
        Activation f = c.attrs().get("mode").equals("RNN_RELU") ? Activation.RELU : Activation.TANH;
        int d = c.attr("input_size");
        int n = c.attr("hidden_size");
        Generator gen = new Generator(1);
        String mode = c.attrs().get("mode");
        if (c.attrs().get("kind").equals("cell")) {
            return switch (mode) {
                case "LSTM" -> new LSTMCell(d, n, true, DType.F64, gen);
                case "GRU" -> new GRUCell(d, n, true, DType.F64, gen);
                default -> new RNNCell(d, n, true, f, DType.F64, gen);
            };
        }
        RecurrentOptions o = RecurrentOptions.of(d, n).withNumLayers(c.attr("num_layers"))
                .withBidirectional(c.attr("bidirectional") == 1).withBatchFirst(c.attr("batch_first") == 1)
                .withDType(DType.F64);
        return switch (mode) {
            case "LSTM" -> new LSTM(o, gen);
            case "GRU" -> new GRU(o, gen);
            default -> new RNN(o, f, gen);
        };
    }

    /** The outputs by the fixture's names. */
    static Map<String, Tensor> run(Layer m, Tensor x, Tensor h0, Tensor c0) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        switch (m) {
            case LSTMCell cell -> {
                LstmState s = cell.forward(x, h0 == null ? null : new LstmState(h0, c0));
                out.put("h", s.h());
                out.put("c", s.c());
            }
            case GRUCell cell -> out.put("h", cell.forward(x, h0));
            case RNNCell cell -> out.put("h", cell.forward(x, h0));
            default -> {
                SequenceOutput r = switch (m) {
                    case LSTM l -> l.forward(x, h0, c0);
                    case GRU g -> g.forward(x, h0);
                    case RNN rnn -> rnn.forward(x, h0);
                    default -> throw new IllegalStateException(m.toString());
                };
                out.put("output", r.output());
                out.put("h_n", r.hN());
                if (r.cN() != null) {
                    out.put("c_n", r.cN());
                }
            }
        }
        return out;
    }

    /** Lanes' parameter name for PyTorch's: a bias of either side maps to the single bias where there is one. */
    static String lanesName(Layer m, String torchName) {
        if (m.namedParameters().containsKey(torchName)) {
            return torchName;
        }
        return torchName.replaceFirst("^bias_(ih|hh)", "bias");
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        return GoldenFile.read("recurrent.txt").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Layer m = build(c);
            Map<String, Tensor> params = c.withPrefix("param.");
            m.loadStateDict(params);
            assertEquals(List.copyOf(params.keySet()), List.copyOf(m.stateDict().keySet()), "state-dict names");
            Tensor x = c.tensors().get("input").requiresGrad(true);
            Tensor h0 = c.tensors().get("h0");
            Tensor c0 = c.tensors().get("c0");
            if (h0 != null) {
                h0.requiresGrad(true);
            }
            if (c0 != null) {
                c0.requiresGrad(true);
            }
            Map<String, Tensor> outs = run(m, x, h0, c0);
            Map<String, Tensor> expected = c.withPrefix("out.");
            assertEquals(expected.keySet(), outs.keySet(), "outputs");
            Tensor loss = null;
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                Tensor y = outs.get(e.getKey());
                assertMatches(e.getKey(), e.getValue(), y);
                Tensor term = Ops.sum(Ops.mul(y, c.tensors().get("w." + e.getKey())));
                loss = loss == null ? term : Ops.add(loss, term);
            }
            assertMatches("loss", c.tensors().get("loss"), loss);
            loss.backward();
            assertMatches("grad input", c.tensors().get("grad.input"), x.grad());
            if (h0 != null) {
                assertMatches("grad h0", c.tensors().get("grad.h0"), h0.grad());
            }
            if (c0 != null) {
                assertMatches("grad c0", c.tensors().get("grad.c0"), c0.grad());
            }
            Map<String, Tensor> named = m.namedParameters();
            c.withPrefix("grad.param.").forEach((k, g) ->
                    assertMatches("grad " + k, g, named.get(lanesName(m, k)).grad()));
        }));
    }
}
