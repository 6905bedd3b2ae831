package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameter counts, PyTorch's state-dict names, loading errors and input checks of the recurrent modules. */
class RecurrentModuleTest {

    private static final Generator GEN = new Generator(5);

    @Test
    void parameterCountsFollowTheEquations() {
        int d = 7;
        int n = 11;
        assertEquals(n * d + n * n + n, new RNN(d, n, GEN).parameterCount());
        assertEquals(4L * (n * d + n * n + n), new LSTM(d, n, GEN).parameterCount());
        assertEquals(3L * (n * d + n * n + 2 * n), new GRU(d, n, GEN).parameterCount());
        assertEquals(n * d + n * n + n, new RNNCell(d, n, GEN).parameterCount());
        assertEquals(4L * (n * d + n * n + n), new LSTMCell(d, n, GEN).parameterCount());
        assertEquals(3L * (n * d + n * n + 2 * n), new GRUCell(d, n, GEN).parameterCount());
        assertEquals(4L * (n * d + n * n), new LSTM(RecurrentOptions.of(d, n).withBias(false), GEN).parameterCount());
        // Two layers, both directions: the second layer reads 2N features.
        long layer0 = 4L * (n * d + n * n + n);
        long layer1 = 4L * (n * 2 * n + n * n + n);
        assertEquals(2 * (layer0 + layer1),
                new LSTM(RecurrentOptions.of(d, n).withNumLayers(2).withBidirectional(true), GEN).parameterCount());
    }

    @Test
    void stateDictSpeaksPyTorch() {
        LSTM lstm = new LSTM(RecurrentOptions.of(3, 4).withNumLayers(2).withBidirectional(true), GEN);
        assertEquals(List.of(
                "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"),
                List.copyOf(lstm.stateDict().keySet()));
        assertEquals(List.of(16, 8), List.of(lstm.stateDict().get("weight_ih_l1").dims()[0],
                lstm.stateDict().get("weight_ih_l1").dims()[1]));
        Map<String, Tensor> sd = lstm.stateDict();
        assertArrayEquals(lstm.namedParameters().get("bias_l1_reverse").toDoubleArray(),
                sd.get("bias_ih_l1_reverse").toDoubleArray(), 0.0);
        assertArrayEquals(new double[16], sd.get("bias_hh_l1_reverse").toDoubleArray(), 0.0);
        assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                List.copyOf(new RNNCell(2, 3, GEN).stateDict().keySet()));
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                List.copyOf(new GRU(2, 3, GEN).stateDict().keySet()));
    }

    @Test
    void loadingAddsPyTorchsTwoBiases() {
        RNN rnn = new RNN(2, 3, GEN);
        Map<String, Tensor> sd = new LinkedHashMap<>(rnn.stateDict());
        sd.put("bias_ih_l0", Tensor.of(new float[] {1, 2, 3}, 3));
        sd.put("bias_hh_l0", Tensor.of(new float[] {0.5f, -2, 0.25f}, 3));
        rnn.loadStateDict(sd);
        assertArrayEquals(new double[] {1.5, 0, 3.25}, rnn.namedParameters().get("bias_l0").toDoubleArray(), 0.0);
    }

    @Test
    void roundTripGivesTheSameOutputs() {
        for (RecurrentBase m : List.of(new RNN(RecurrentOptions.of(3, 4).withNumLayers(2), Activation.SIGMOID, GEN),
                new LSTM(RecurrentOptions.of(3, 4).withBidirectional(true), GEN),
                new GRU(RecurrentOptions.of(3, 4).withNumLayers(2).withBidirectional(true), GEN))) {
            RecurrentBase twin = m instanceof LSTM ? new LSTM(m.options(), new Generator(77))
                    : m instanceof GRU ? new GRU(m.options(), new Generator(77))
                    : new RNN(m.options(), Activation.SIGMOID, new Generator(77));
            Tensor x = Tensor.uniform(GEN, DType.F32, -1, 1, 5, 2, 3);
            twin.loadStateDict(m.stateDict());
            assertArrayEquals(m.forward(x).toFloatArray(), twin.forward(x).toFloatArray(), 0f, m.toString());
        }
    }

    @Test
    void loadErrorsNameTheKeysAndLeaveTheModuleAlone() {
        LSTM lstm = new LSTM(3, 4, GEN);
        Map<String, Tensor> before = lstm.stateDict();
        double[] w = before.get("weight_ih_l0").toDoubleArray();
        Map<String, Tensor> sd = new LinkedHashMap<>(before);
        sd.remove("bias_hh_l0");
        sd.put("weight_ih_l0", Tensor.zeros(DType.F32, 16, 3));
        sd.put("weight_hh_l0", Tensor.zeros(DType.F32, 16, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lstm.loadStateDict(sd));
        assertTrue(e.getMessage().contains("missing key 'bias_hh_l0'"), e.getMessage());
        assertTrue(e.getMessage().contains("'weight_hh_l0' has shape [16, 5] in the state dict but [16, 4]"),
                e.getMessage());
        assertArrayEquals(w, lstm.stateDict().get("weight_ih_l0").toDoubleArray(), 0.0);
        Map<String, Tensor> half = new LinkedHashMap<>(before);
        half.remove("bias_ih_l0");
        e = assertThrows(IllegalArgumentException.class, () -> lstm.loadStateDict(half, false));
        assertTrue(e.getMessage().contains("'bias_ih_l0' is missing"), e.getMessage());
        Map<String, Tensor> extra = new LinkedHashMap<>(before);
        extra.put("weight_ih_l1", Tensor.zeros(DType.F32, 16, 4));
        e = assertThrows(IllegalArgumentException.class, () -> lstm.loadStateDict(extra));
        assertTrue(e.getMessage().contains("unexpected key 'weight_ih_l1'"), e.getMessage());
    }

    @Test
    void inputsAreCheckedLikePyTorch() {
        LSTM lstm = new LSTM(RecurrentOptions.of(3, 4).withNumLayers(2), GEN);
        Tensor x = Tensor.zeros(DType.F32, 5, 2, 3);
        assertMessage("LSTM: Expected input to be 2D or 3D, got 4D instead",
                () -> lstm.forward(Tensor.zeros(DType.F32, 1, 5, 2, 3)));
        assertMessage("input.size(-1) must be equal to input_size. Expected 3, got 4",
                () -> lstm.forward(Tensor.zeros(DType.F32, 5, 2, 4)));
        assertMessage("Expected hidden size [2, 2, 4], got [1, 2, 4]",
                () -> lstm.forward(x, Tensor.zeros(DType.F32, 1, 2, 4), Tensor.zeros(DType.F32, 1, 2, 4)));
        assertMessage("Expected hidden[1] size [2, 2, 4], got [2, 3, 4]",
                () -> lstm.forward(x, Tensor.zeros(DType.F32, 2, 2, 4), Tensor.zeros(DType.F32, 2, 3, 4)));
        assertMessage("give both h0 and c0", () -> lstm.forward(x, Tensor.zeros(DType.F32, 2, 2, 4), null));
        assertMessage("For unbatched 2-D input, hx should also be 2-D but got 3-D tensor",
                () -> lstm.forward(Tensor.zeros(DType.F32, 5, 3), Tensor.zeros(DType.F32, 2, 1, 4),
                        Tensor.zeros(DType.F32, 2, 1, 4)));
        assertMessage("input must have the type F32, got F64", () -> lstm.forward(Tensor.zeros(DType.F64, 5, 2, 3)));
        GRUCell cell = new GRUCell(3, 4, GEN);
        assertMessage("GRUCell: Input batch size 2 doesn't match hx batch size 3",
                () -> cell.forward(Tensor.zeros(DType.F32, 2, 3), Tensor.zeros(DType.F32, 3, 4)));
        assertMessage("GRUCell: input has inconsistent input_size: got 2 expected 3",
                () -> cell.forward(Tensor.zeros(DType.F32, 2, 2), null));
        assertMessage("RNN: unknown nonlinearity 'EXP'",
                () -> new RNN(RecurrentOptions.of(2, 2), Activation.EXP, GEN));
        assertMessage("dropout should be a number in range [0, 1]", () -> RecurrentOptions.of(2, 2).withDropout(1.5));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable run) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }

    @Test
    void unbatchedAndBatchFirstAgreeWithTheTimeMajorLayout() {
        RecurrentOptions o = RecurrentOptions.of(3, 4).withNumLayers(2).withBidirectional(true).withDType(DType.F64);
        GRU tm = new GRU(o, new Generator(8));
        GRU bf = new GRU(o.withBatchFirst(true), new Generator(8));
        Tensor x = Tensor.uniform(GEN, DType.F64, -1, 1, 5, 1, 3);
        SequenceOutput a = tm.forward(x, null);
        SequenceOutput b = bf.forward(x.view(1, 5, 3), null);
        SequenceOutput u = tm.forward(x.view(5, 3), null);
        assertArrayEquals(a.output().toDoubleArray(), b.output().toDoubleArray(), 0.0);
        assertArrayEquals(a.output().toDoubleArray(), u.output().toDoubleArray(), 0.0);
        assertArrayEquals(new int[] {5, 8}, u.output().dims());
        assertArrayEquals(new int[] {4, 4}, u.hN().dims());
        assertArrayEquals(new int[] {1, 5, 8}, b.output().dims());
        assertArrayEquals(a.hN().toDoubleArray(), b.hN().toDoubleArray(), 0.0);
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)", new LSTM(
                RecurrentOptions.of(3, 4).withNumLayers(2).withBatchFirst(true).withBidirectional(true), GEN)
                .toString());
        // PyTorch's RNN does not print its nonlinearity; its RNNCell does.
        assertEquals("RNN(3, 4)", new RNN(RecurrentOptions.of(3, 4), Activation.RELU, GEN).toString());
        assertEquals("RNNCell(3, 4, nonlinearity=relu)",
                new RNNCell(3, 4, true, Activation.RELU, DType.F32, GEN).toString());
        assertEquals("GRUCell(3, 4, bias=False)", new GRUCell(3, 4, false, DType.F32, GEN).toString());
    }
}
