package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RNN and LSTM layers and cells that keep PyTorch's {@code bias_ih} and {@code bias_hh} as two
 * parameters: PyTorch's counts and names, the same outputs as one bias per gate from the same
 * seed, each bias given the gradient of their sum, loading either layout, and load errors.
 */
class SeparateBiasesTest {

    private static RecurrentOptions options(boolean separate) {
        return RecurrentOptions.of(3, 5).withNumLayers(2).withBidirectional(true).withDType(DType.F64)
                .withSeparateBiases(separate);
    }

    /** LSTM, RNN (tanh) and GRU layers, two layers and both directions, from one seed. */
    private static List<RecurrentBase> layers(boolean separate) {
        return List.of(new LSTM(options(separate), new Generator(3)),
                new RNN(options(separate), Activation.TANH, new Generator(3)),
                new GRU(options(separate), new Generator(3)));
    }

    private static SequenceOutput run(RecurrentBase m, Tensor x) {
        return switch (m) {
            case LSTM l -> l.forward(x, null, null);
            case RNN r -> r.forward(x, null);
            case GRU g -> g.forward(x, null);
        };
    }

    @Test
    void parameterCountsArePyTorchs() {
        int d = 7;
        int n = 11;
        RecurrentOptions o = RecurrentOptions.of(d, n).withSeparateBiases(true);
        assertEquals(n * d + n * n + 2 * n, new RNN(o, Activation.TANH, new Generator(1)).parameterCount());
        assertEquals(4L * (n * d + n * n + 2 * n), new LSTM(o, new Generator(1)).parameterCount());
        assertEquals(3L * (n * d + n * n + 2 * n), new GRU(o, new Generator(1)).parameterCount());
        assertEquals(n * d + n * n + 2 * n,
                new RNNCell(d, n, true, true, Activation.TANH, DType.F32, new Generator(1)).parameterCount());
        assertEquals(4L * (n * d + n * n + 2 * n),
                new LSTMCell(d, n, true, true, DType.F32, new Generator(1)).parameterCount());
        // Without biases there is nothing to keep apart.
        assertEquals(4L * (n * d + n * n), new LSTM(o.withBias(false), new Generator(1)).parameterCount());
        assertEquals(4L * (n * d + n * n),
                new LSTMCell(d, n, false, true, DType.F32, new Generator(1)).parameterCount());
        long layer0 = 4L * (n * d + n * n + 2 * n);
        long layer1 = 4L * (n * 2 * n + n * n + 2 * n);
        assertEquals(2 * (layer0 + layer1),
                new LSTM(o.withNumLayers(2).withBidirectional(true), new Generator(1)).parameterCount());
    }

    @Test
    void parametersAndStateDictHavePyTorchsNames() {
        LSTM lstm = new LSTM(options(true), new Generator(2));
        List<String> names = List.of(
                "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse");
        assertEquals(names, List.copyOf(lstm.namedParameters().keySet()));
        assertEquals(names, List.copyOf(lstm.stateDict().keySet()));
        assertEquals(16, lstm.parameters().size());
        // The state dict holds the parameters themselves: no zeros written for bias_hh.
        assertArrayEquals(lstm.namedParameters().get("bias_hh_l1").toDoubleArray(),
                lstm.stateDict().get("bias_hh_l1").toDoubleArray(), 0.0);
        assertTrue(lstm.options().separateBiases());
        RNNCell cell = new RNNCell(2, 3, true, true, Activation.TANH, DType.F32, new Generator(2));
        assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                List.copyOf(cell.namedParameters().keySet()));
        assertTrue(cell.separateBiases());
        assertFalse(new LSTMCell(2, 3, new Generator(2)).separateBiases());
        // The option is not PyTorch's, and the module it builds is PyTorch's own: it prints as PyTorch's.
        assertEquals("LSTM(3, 5, num_layers=2, bidirectional=True)", lstm.toString());
    }

    /**
     * Both layouts draw the same two biases, so one seed gives one function; the single bias's
     * gradient is the gradient of the sum, which each of the pair receives.
     */
    @Test
    void layersComputeWithTheSumAndGiveEachBiasItsGradient() {
        List<RecurrentBase> one = layers(false);
        List<RecurrentBase> pair = layers(true);
        for (int i = 0; i < one.size(); i++) {
            RecurrentBase a = one.get(i);
            RecurrentBase b = pair.get(i);
            Tensor x = Tensor.uniform(new Generator(9), DType.F64, -1, 1, 4, 2, 3);
            Tensor ya = run(a, x).output();
            Tensor yb = run(b, x).output();
            assertArrayEquals(ya.toDoubleArray(), yb.toDoubleArray(), 0.0, a.toString());
            Tensor w = Tensor.uniform(new Generator(10), DType.F64, -1, 1, ya.dims());
            Ops.sum(Ops.mul(ya, w)).backward();
            Ops.sum(Ops.mul(yb, w)).backward();
            Map<String, Tensor> ga = a.namedParameters();
            for (Map.Entry<String, Tensor> e : b.namedParameters().entrySet()) {
                String name = e.getKey();
                String single = ga.containsKey(name) ? name : name.replaceFirst("^bias_(ih|hh)", "bias");
                assertArrayEquals(ga.get(single).grad().toDoubleArray(), e.getValue().grad().toDoubleArray(), 0.0,
                        a + " " + name);
            }
        }
    }

    @Test
    void cellsComputeWithTheSumAndGiveEachBiasItsGradient() {
        for (DType dtype : DType.values()) {
            LSTMCell lstmOne = new LSTMCell(3, 4, true, false, dtype, new Generator(4));
            LSTMCell lstmPair = new LSTMCell(3, 4, true, true, dtype, new Generator(4));
            RNNCell rnnOne = new RNNCell(3, 4, true, false, Activation.RELU, dtype, new Generator(4));
            RNNCell rnnPair = new RNNCell(3, 4, true, true, Activation.RELU, dtype, new Generator(4));
            Tensor x = Tensor.uniform(new Generator(6), dtype, -1, 1, 2, 3);
            Tensor h = Tensor.uniform(new Generator(7), dtype, -1, 1, 2, 4);
            Tensor c = Tensor.uniform(new Generator(8), dtype, -1, 1, 2, 4);
            List<Tensor> outs = List.of(lstmOne.forward(x, new LstmState(h, c)).c(),
                    lstmPair.forward(x, new LstmState(h, c)).c(), rnnOne.forward(x, h), rnnPair.forward(x, h));
            for (int k = 0; k < 4; k += 2) {
                assertArrayEquals(outs.get(k).toDoubleArray(), outs.get(k + 1).toDoubleArray(), 0.0, dtype + " " + k);
                Ops.sum(outs.get(k)).backward();
                Ops.sum(outs.get(k + 1)).backward();
            }
            for (RecurrentCell[] twins : new RecurrentCell[][] {{lstmOne, lstmPair}, {rnnOne, rnnPair}}) {
                double[] g = twins[0].namedParameters().get("bias").grad().toDoubleArray();
                assertArrayEquals(g, twins[1].namedParameters().get("bias_ih").grad().toDoubleArray(), 0.0);
                assertArrayEquals(g, twins[1].namedParameters().get("bias_hh").grad().toDoubleArray(), 0.0);
            }
        }
    }

    @Test
    void pyTorchsBiasesLoadAsTheyAre() {
        RNN rnn = new RNN(RecurrentOptions.of(2, 3).withSeparateBiases(true), Activation.TANH, new Generator(5));
        Map<String, Tensor> sd = new LinkedHashMap<>(rnn.stateDict());
        sd.put("bias_ih_l0", Tensor.of(new float[] {1, 2, 3}, 3));
        sd.put("bias_hh_l0", Tensor.of(new float[] {0.5f, -2, 0.25f}, 3));
        rnn.loadStateDict(sd);
        assertArrayEquals(new double[] {1, 2, 3}, rnn.namedParameters().get("bias_ih_l0").toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {0.5, -2, 0.25}, rnn.namedParameters().get("bias_hh_l0").toDoubleArray(), 0.0);
        LSTMCell cell = new LSTMCell(2, 3, true, true, DType.F32, new Generator(5));
        Map<String, Tensor> csd = new LinkedHashMap<>(cell.stateDict());
        csd.put("bias_hh", Tensor.full(DType.F32, 0.125, 12));
        cell.loadStateDict(csd);
        assertArrayEquals(new double[] {0.125, 0.125}, java.util.Arrays.copyOf(
                cell.namedParameters().get("bias_hh").toDoubleArray(), 2), 0.0);
    }

    /** Either layout's state dict loads into the other and computes the same function. */
    @Test
    void stateDictsMoveBetweenTheLayouts() {
        List<RecurrentBase> one = layers(false);
        List<RecurrentBase> pair = layers(true);
        Tensor x = Tensor.uniform(new Generator(11), DType.F64, -1, 1, 3, 2, 3);
        for (int i = 0; i < one.size(); i++) {
            RecurrentBase fresh = switch (one.get(i)) {
                case LSTM _ -> new LSTM(options(true), new Generator(40));
                case RNN _ -> new RNN(options(true), Activation.TANH, new Generator(40));
                case GRU _ -> new GRU(options(true), new Generator(40));
            };
            fresh.loadStateDict(one.get(i).stateDict());
            assertArrayEquals(run(one.get(i), x).output().toDoubleArray(), run(fresh, x).output().toDoubleArray(),
                    0.0, "one bias into a pair: " + fresh);
            RecurrentBase back = switch (pair.get(i)) {
                case LSTM _ -> new LSTM(options(false), new Generator(41));
                case RNN _ -> new RNN(options(false), Activation.TANH, new Generator(41));
                case GRU _ -> new GRU(options(false), new Generator(41));
            };
            back.loadStateDict(pair.get(i).stateDict());
            assertArrayEquals(run(pair.get(i), x).output().toDoubleArray(), run(back, x).output().toDoubleArray(),
                    0.0, "a pair into one bias: " + back);
        }
    }

    @Test
    void loadErrorsNameTheBiasesAndLeaveTheModuleAlone() {
        LSTM lstm = new LSTM(RecurrentOptions.of(3, 4).withSeparateBiases(true), new Generator(6));
        Map<String, Tensor> before = lstm.stateDict();
        double[] bias = lstm.namedParameters().get("bias_ih_l0").toDoubleArray();
        Map<String, Tensor> sd = new LinkedHashMap<>(before);
        sd.remove("bias_hh_l0");
        sd.put("bias_ih_l0", Tensor.zeros(DType.F32, 12));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lstm.loadStateDict(sd));
        assertTrue(e.getMessage().contains("missing key 'bias_hh_l0'"), e.getMessage());
        assertTrue(e.getMessage().contains("'bias_ih_l0' has shape [12] in the state dict but [16] in the module"),
                e.getMessage());
        assertArrayEquals(bias, lstm.namedParameters().get("bias_ih_l0").toDoubleArray(), 0.0);
        // A one-bias module's internal name is not a state-dict name in either layout.
        Map<String, Tensor> internal = new LinkedHashMap<>(before);
        internal.put("bias_l0", Tensor.zeros(DType.F32, 16));
        e = assertThrows(IllegalArgumentException.class, () -> lstm.loadStateDict(internal));
        assertTrue(e.getMessage().contains("unexpected key 'bias_l0'"), e.getMessage());
        // A non-strict load may bring one of the pair, as in PyTorch.
        Map<String, Tensor> half = new LinkedHashMap<>();
        half.put("bias_hh_l0", Tensor.full(DType.F32, 1, 16));
        lstm.loadStateDict(half, false);
        assertArrayEquals(bias, lstm.namedParameters().get("bias_ih_l0").toDoubleArray(), 0.0);
        assertEquals(1.0, lstm.namedParameters().get("bias_hh_l0").toDoubleArray()[15], 0.0);
    }
}
