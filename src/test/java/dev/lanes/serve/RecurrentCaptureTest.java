package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.Allocations;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.kernel.Activation;
import dev.lanes.nn.Embedding;
import dev.lanes.nn.GRU;
import dev.lanes.nn.GRUCell;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.RNN;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Captured recurrent models: whole-sequence layers (several layers, both directions, batch first,
 * with and without initial states, each kind), a streaming cell step with its state as inputs and
 * outputs, and a user model with an MLP head on an LSTM encoder; the eager F32 outputs bit for
 * bit, no allocation.
 */
class RecurrentCaptureTest {

    /** Runs {@code forward} eagerly on F32 copies of the inputs shaped as the plan's, in eval mode. */
    private static float[][] eagerOutputs(Layer model, Plan plan, Plan.Forward forward, float[][] inputs) {
        model.eval();
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = Tensor.of(inputs[i], plan.inputShape(i).dims());
        }
        Tensor[] out;
        try (NoGrad ng = NoGrad.enter()) {
            out = forward.apply(in);
        }
        float[][] r = new float[out.length][];
        for (int i = 0; i < out.length; i++) {
            r[i] = out[i].toFloatArray();
        }
        model.train();
        return r;
    }

    /**
     * The plan's outputs are the eager F32 outputs: bit for bit when every matrix product has more
     * than four rows ({@code bits}); with fewer, plans fold each column in a vector lane where the
     * eager GEMM takes dot products, and the two agree to float rounding.
     */
    private static void assertPlanGivesEagerOutputs(String what, boolean bits, Layer model, Plan.Forward forward,
                                                    int[]... shapes) {
        Tensor[] examples = new Tensor[shapes.length];
        float[][] inputs = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            int n = 1;
            for (int d : shapes[i]) {
                n *= d;
            }
            inputs[i] = PlanCaptureTest.values(31 + i, n);
            examples[i] = Tensor.of(inputs[i], shapes[i]);
        }
        Plan plan = Plan.capture(model, forward, examples);
        PlanSession s = plan.session();
        s.run(inputs);
        float[][] expected = eagerOutputs(model, plan, forward, inputs);
        assertEquals(expected.length, plan.outputCount(), what);
        for (int i = 0; i < expected.length; i++) {
            if (bits) {
                assertArrayEquals(expected[i], s.output(i), what + ": output " + i);
            } else {
                PlanCaptureTest.assertClose(expected[i], s.output(i), what + ": output " + i);
            }
        }
    }

    @Test
    void sequenceLayersGiveTheEagerOutputs() {
        LSTM lstm = new LSTM(RecurrentOptions.of(5, 7).withNumLayers(2).withBidirectional(true).withBatchFirst(true),
                new Generator(1));
        assertPlanGivesEagerOutputs("LSTM, zero initial state, three rows", false, lstm, in -> {
            SequenceOutput o = lstm.forward(in[0], null, null);
            return new Tensor[] {o.output(), o.hN(), o.cN()};
        }, new int[] {3, 6, 5});
        assertPlanGivesEagerOutputs("LSTM, given states", true, lstm, in -> {
            SequenceOutput o = lstm.forward(in[0], in[1], in[2]);
            return new Tensor[] {o.output(), o.hN(), o.cN()};
        }, new int[] {6, 5, 5}, new int[] {4, 6, 7}, new int[] {4, 6, 7});
        LSTM wide = new LSTM(RecurrentOptions.of(6, 37).withBidirectional(true), new Generator(8));
        assertPlanGivesEagerOutputs("LSTM, 37 units in blocks of 16, 16 and 5, two rows", false, wide, in -> {
            SequenceOutput o = wide.forward(in[0], in[1], in[2]);
            return new Tensor[] {o.output(), o.hN(), o.cN()};
        }, new int[] {4, 2, 6}, new int[] {2, 2, 37}, new int[] {2, 2, 37});
        GRU narrow = new GRU(RecurrentOptions.of(5, 45).withBatchFirst(true), new Generator(9));
        assertPlanGivesEagerOutputs("GRU, 45 units in blocks of 21, 21 and 3, one row", false, narrow, in -> {
            SequenceOutput o = narrow.forward(in[0], in[1]);
            return new Tensor[] {o.output(), o.hN()};
        }, new int[] {1, 4, 5}, new int[] {1, 1, 45});
        RNN thin = new RNN(RecurrentOptions.of(5, 70), Activation.TANH, new Generator(10));
        assertPlanGivesEagerOutputs("RNN, 70 units in two tiles, two rows", false, thin, in -> {
            SequenceOutput o = thin.forward(in[0], null);
            return new Tensor[] {o.output(), o.hN()};
        }, new int[] {3, 2, 5});
        GRU gru = new GRU(RecurrentOptions.of(4, 9).withNumLayers(2), new Generator(2));
        assertPlanGivesEagerOutputs("GRU", true, gru, in -> {
            SequenceOutput o = gru.forward(in[0], in[1]);
            return new Tensor[] {o.output(), o.hN()};
        }, new int[] {5, 6, 4}, new int[] {2, 6, 9});
        RNN rnn = new RNN(RecurrentOptions.of(3, 6).withBidirectional(true).withBias(false), Activation.RELU,
                new Generator(3));
        assertPlanGivesEagerOutputs("RNN", true, rnn, in -> {
            SequenceOutput o = rnn.forward(in[0], null);
            return new Tensor[] {o.output(), o.hN()};
        }, new int[] {4, 8, 3});
    }

    @Test
    void aCellStepTakesAndGivesItsState() {
        LSTMCell cell = new LSTMCell(6, 10, new Generator(4));
        assertPlanGivesEagerOutputs("LSTM cell", true, cell, in -> {
            LstmState st = cell.forward(in[0], new LstmState(in[1], in[2]));
            return new Tensor[] {st.h(), st.c()};
        }, new int[] {5, 6}, new int[] {5, 10}, new int[] {5, 10});
        GRUCell gru = new GRUCell(6, 10, new Generator(5));
        assertPlanGivesEagerOutputs("GRU cell, zero state, one row", false, gru, in -> new Tensor[] {gru.forward(in[0])},
                new int[] {1, 6});
    }

    /** An MLP head on the last hidden state of an LSTM encoder. */
    static final class Classifier extends Layer {
        final LSTM encoder;
        final Linear head;

        Classifier(Generator gen) {
            encoder = registerModule("encoder", new LSTM(RecurrentOptions.of(8, 16).withBatchFirst(true), gen));
            head = registerModule("head", new Linear(16, 4, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = encoder.forward(x, null, null).hN();
            return Ops.logSoftmax(head.forward(Ops.relu(Ops.reshape(h, x.size(0), 16))), -1);
        }
    }

    @Test
    void anLstmEncoderWithAnMlpHeadIsServedWithoutAllocating() {
        Classifier model = new Classifier(new Generator(6));
        // Five rows: every product runs the eager GEMM's arithmetic.
        assertPlanGivesEagerOutputs("classifier", true, model, in -> new Tensor[] {model.forward(in[0])},
                new int[] {5, 12, 8});
        float[] x = PlanCaptureTest.values(3, 2 * 12 * 8);
        PlanSession s = Plan.capture(model, Tensor.of(x, 2, 12, 8)).session();
        assertEquals(0, Allocations.settledBytes(() -> s.run(x), 20_000, 1000, 30), "bytes allocated by 1000 calls");
    }

    /** An embedding and GRU tagger: token ids {@code [T, B]} in, log-probabilities of 5 tags per token out. */
    static final class Tagger extends Layer {
        final Embedding embedding;
        final GRU gru;
        final Linear tags;

        Tagger(Generator gen) {
            embedding = registerModule("embedding", new Embedding(50, 12, gen));
            gru = registerModule("gru", new GRU(RecurrentOptions.of(12, 20), gen));
            tags = registerModule("tags", new Linear(20, 5, gen));
        }

        @Override
        public Tensor forward(Tensor ids) {
            return Ops.logSoftmax(tags.forward(gru.forward(embedding.forward(ids), null).output()), -1);
        }
    }

    @Test
    void anEmbeddingTaggerTakesTokenIdsAndRefusesBadOnes() {
        Tagger model = new Tagger(new Generator(7));
        float[] ids = new float[6 * 3];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 17) % 50;
        }
        Plan plan = Plan.capture(model, Tensor.of(ids, 6, 3));
        PlanSession s = plan.session();
        float[] got = s.run(ids).clone();
        float[][] expected = eagerOutputs(model, plan, in -> new Tensor[] {model.forward(in[0])}, new float[][] {ids});
        // Three rows per recurrent product: the plan folds columns in lanes where the eager GEMM takes dot products.
        PlanCaptureTest.assertClose(expected[0], got, "tagger");
        float[] bad = ids.clone();
        bad[4] = 50;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.run(bad));
        assertTrue(e.getMessage().contains("id 50.0 at position 4 is not a whole number in [0, 50)"), e.getMessage());
        bad[4] = 2.5f;
        assertThrows(IllegalArgumentException.class, () -> s.run(bad));
        assertArrayEquals(got, s.run(ids), "the session after a refused call");
    }
}
