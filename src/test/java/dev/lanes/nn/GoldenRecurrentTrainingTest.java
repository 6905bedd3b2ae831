package dev.lanes.nn;

import static dev.lanes.nn.GoldenFile.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.Ops;
import dev.lanes.kernel.Activation;
import dev.lanes.optim.Adam;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Training recurrent layers and cells against PyTorch 1.13
 * ({@code tools/golden/recurrent_training_golden.py}): SGD with momentum and weight decay, and
 * Adam with weight decay, for a few steps on a fixed input and target in F64. With separate
 * biases every parameter follows PyTorch's trajectory to 1e-10; with one bias per gate (the
 * default) RNN and LSTM leave it, because PyTorch moves each of its two biases by the gradient
 * of their sum.
 */
class GoldenRecurrentTrainingTest {

    static List<GoldenFile.Case> cases() throws IOException {
        return GoldenFile.read("recurrent_training.txt");
    }

    static Layer build(GoldenFile.Case c, boolean separate) {
        int d = c.attr("input_size");
        int n = c.attr("hidden_size");
        Generator gen = new Generator(1);
        String mode = c.attrs().get("mode");
        if (c.attrs().get("kind").equals("cell")) {
            return mode.equals("LSTM") ? new LSTMCell(d, n, true, separate, DType.F64, gen)
                    : new RNNCell(d, n, true, separate, Activation.TANH, DType.F64, gen);
        }
        RecurrentOptions o = RecurrentOptions.of(d, n).withNumLayers(c.attr("num_layers"))
                .withBidirectional(c.attr("bidirectional") == 1).withDType(DType.F64).withSeparateBiases(separate);
        return switch (mode) {
            case "LSTM" -> new LSTM(o, gen);
            case "GRU" -> new GRU(o, gen);
            default -> new RNN(o, Activation.TANH, gen);
        };
    }

    static Optimizer optimizer(GoldenFile.Case c, List<Tensor> params) {
        double lr = Double.parseDouble(c.attrs().get("lr"));
        double wd = Double.parseDouble(c.attrs().get("weight_decay"));
        return switch (c.attrs().get("optimizer")) {
            case "SGD" -> new SGD(params, lr, Double.parseDouble(c.attrs().get("momentum")), 0, wd, false);
            case "Adam" -> new Adam(params, lr, 0.9, 0.999, 1e-8, wd, false);
            default -> throw new AssertionError(c.attrs().get("optimizer"));
        };
    }

    /** The output the fixture's loss reads: a layer's output sequence, or a cell's h at every step. */
    static Tensor output(Layer m, GoldenFile.Case c) {
        Tensor x = c.t("input");
        Tensor h0 = c.tensors().get("h0");
        Tensor c0 = c.tensors().get("c0");
        return switch (m) {
            case RNN rnn -> rnn.forward(x, h0).output();
            case LSTM lstm -> lstm.forward(x, h0, c0).output();
            case GRU gru -> gru.forward(x, h0).output();
            default -> {
                int steps = x.size(0);
                List<Tensor> hs = new ArrayList<>();
                Tensor h = h0;
                Tensor cs = c0;
                for (int t = 0; t < steps; t++) {
                    Tensor xt = Ops.reshape(Ops.narrow(x, 0, t, 1), x.size(1), x.size(2));
                    if (m instanceof LSTMCell cell) {
                        LstmState s = cell.forward(xt, h == null ? null : new LstmState(h, cs));
                        h = s.h();
                        cs = s.c();
                    } else {
                        h = ((RNNCell) m).forward(xt, h);
                    }
                    hs.add(h);
                }
                yield Ops.stack(hs, 0);
            }
        };
    }

    /** One training step as PyTorch's loop runs it; @return the loss before the step. */
    static Tensor step(Layer m, Optimizer opt, GoldenFile.Case c) {
        opt.zeroGrad();
        Tensor loss = Losses.mse(output(m, c), c.t("target"));
        loss.backward();
        opt.step();
        return loss;
    }

    @TestFactory
    Stream<DynamicTest> separateBiasesFollowPyTorchsTrajectory() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Layer m = build(c, true);
            Map<String, Tensor> params = c.withPrefix("param.");
            m.loadStateDict(params);
            assertEquals(List.copyOf(params.keySet()), List.copyOf(m.namedParameters().keySet()), "parameters");
            Optimizer opt = optimizer(c, m.parameters());
            for (int k = 1; k <= c.attr("steps"); k++) {
                assertMatches("loss " + k, c.t("loss." + k), step(m, opt, c));
                Map<String, Tensor> now = m.namedParameters();
                for (Map.Entry<String, Tensor> e : c.withPrefix("step" + k + ".").entrySet()) {
                    assertMatches("step " + k + " " + e.getKey(), e.getValue(), now.get(e.getKey()));
                }
            }
        }));
    }

    /**
     * Plain SGD, first step: from the same start both layouts see the same gradient, so the
     * weights agree, but PyTorch moves each of its biases by the gradient of their sum, so its
     * effective bias moves twice as far as the single bias.
     */
    @TestFactory
    Stream<DynamicTest> oneBiasMovesHalfAsFarUnderPlainSgd() throws IOException {
        return cases().stream().filter(c -> c.name().contains("plain_sgd")).map(c -> DynamicTest.dynamicTest(c.name(),
                () -> {
                    Layer m = build(c, false);
                    Map<String, Tensor> start = c.withPrefix("param.");
                    m.loadStateDict(start);
                    Map<String, Tensor> before = copies(m.namedParameters());
                    step(m, optimizer(c, m.parameters()), c);
                    Map<String, Tensor> torch = c.withPrefix("step1.");
                    int biases = 0;
                    for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                        String name = e.getKey();
                        if (!name.startsWith("bias")) {
                            assertMatches("step 1 " + name, torch.get(name), e.getValue());
                            continue;
                        }
                        String ih = name.replaceFirst("^bias", "bias_ih");
                        String hh = name.replaceFirst("^bias", "bias_hh");
                        Tensor torchMove = Ops.sub(Ops.add(torch.get(ih), torch.get(hh)),
                                Ops.add(start.get(ih), start.get(hh)));
                        Tensor lanesMove = Ops.sub(e.getValue(), before.get(name));
                        assertMatches(name + " moved by half of PyTorch's", Ops.mul(torchMove, 0.5), lanesMove);
                        assertTrue(maxAbs(lanesMove) > 1e-4, name + " moved");
                        biases++;
                    }
                    assertTrue(biases > 0, "a bias was compared");
                }));
    }

    /**
     * Over the whole run the one-bias RNN and LSTM leave PyTorch's trajectory; GRU, which always
     * keeps both biases, does not.
     */
    @TestFactory
    Stream<DynamicTest> oneBiasLeavesPyTorchsTrajectory() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Layer m = build(c, false);
            m.loadStateDict(c.withPrefix("param."));
            Optimizer opt = optimizer(c, m.parameters());
            int steps = c.attr("steps");
            for (int k = 1; k <= steps; k++) {
                step(m, opt, c);
            }
            Map<String, Tensor> torch = c.withPrefix("step" + steps + ".");
            double worst = 0;
            for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                if (e.getKey().startsWith("weight")) {
                    worst = Math.max(worst, maxAbs(Ops.sub(e.getValue(), torch.get(e.getKey()))));
                }
            }
            if (c.attrs().get("mode").equals("GRU")) {
                assertTrue(worst <= 1e-10, "GRU keeps PyTorch's two biases either way, off by " + worst);
            } else {
                assertTrue(worst > 1e-6, "weights after " + steps + " steps off PyTorch's by only " + worst);
            }
        }));
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.detach().copy()));
        return out;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.toDoubleArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
