package dev.lanes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.io.SafeTensors;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.optim.Adam;
import dev.lanes.serve.NonFinitePolicy;
import dev.lanes.serve.RecurrentPlan;
import dev.lanes.serve.RecurrentSession;
import dev.lanes.serve.ResNetPlan;
import dev.lanes.serve.ResNetSession;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start and service snippet, as written there: the quick start trains, the file
 * round-trips and the plan serves the trained cell; the snippet's plans serve and refuse NaN.
 */
class QuickStartTest {

    @Test
    void quickStart() throws IOException {
        // --- README quick start, verbatim ---
        Generator gen = new Generator(1);
        LSTMCell cell = new LSTMCell(1, 8, gen);            // hidden unit 0 will forecast the next sample
        Adam opt = new Adam(cell.parameters(), 0.02);
        float[] wave = new float[33];
        for (int t = 0; t < wave.length; t++) wave[t] = 0.8f * (float) Math.sin(0.4 * t);
        double[] losses = new double[200];
        for (int epoch = 0; epoch < losses.length; epoch++) {
            opt.zeroGrad();
            LstmState state = null;                         // zero (h, c)
            Tensor loss = Tensor.scalar(DType.F32, 0);
            for (int t = 0; t + 1 < wave.length; t++) {
                state = cell.forward(Tensor.of(new float[] {wave[t]}, 1, 1), state);
                Tensor forecast = Ops.narrow(state.h(), 1, 0, 1);
                loss = Ops.add(loss, Losses.mse(forecast, Tensor.of(new float[] {wave[t + 1]}, 1, 1)));
            }
            loss.backward();
            opt.step();
            losses[epoch] = loss.item();
        }
        Path file = Files.createTempFile("lstm", ".safetensors");
        SafeTensors.write(file, cell.stateDict());          // PyTorch's names: weight_ih, weight_hh, bias_ih, bias_hh
        LSTMCell loaded = new LSTMCell(1, 8, new Generator(0));
        loaded.loadStateDict(SafeTensors.read(file));
        RecurrentPlan plan = RecurrentPlan.freeze(loaded);  // immutable copy, shared by any number of threads
        RecurrentSession session = plan.session(1);         // one per stream; step() allocates nothing
        float[] next = new float[wave.length];
        for (int t = 0; t < wave.length; t++) next[t] = session.step(new float[] {wave[t]})[0];
        // --- end of the quick start ---

        assertTrue(losses[losses.length - 1] < losses[0] / 10,
                "training reduced the loss tenfold: " + losses[0] + " -> " + losses[losses.length - 1]);
        double error = 0;
        try (NoGrad ng = NoGrad.enter()) {
            LstmState state = null;
            for (int t = 0; t < wave.length; t++) {
                state = cell.forward(Tensor.of(new float[] {wave[t]}, 1, 1), state);
                assertEquals(state.h().toFloatArray()[0], next[t], 1e-5f, "served step " + t);
                if (t + 1 < wave.length) {
                    error += Math.abs(next[t] - wave[t + 1]) / (wave.length - 1);
                }
            }
        }
        assertTrue(error < 0.1, "mean forecast error " + error);
        Files.delete(file);
    }

    @Test
    void embeddingSnippet() {
        LSTMCell cell = new LSTMCell(128, 256, new Generator(2));
        ResNet net = ResNets.resnet20(3, 10, new Generator(3));
        float[] features = new float[128];
        float[] pixels = new float[3 * 32 * 32];
        // --- README, "Embedding Lanes in a service", verbatim ---
        RecurrentPlan plan = RecurrentPlan.freeze(cell, NonFinitePolicy.REJECT);   // NaN or infinite input: refused
        RecurrentSession stream = plan.session(1);      // one per conversation/stream: it holds that stream's state
        float[] h = stream.step(features);              // the session's own array, overwritten by the next step

        ResNetPlan images = ResNetPlan.freeze(net, 3, 32, 32);
        ThreadLocal<ResNetSession> perThread = ThreadLocal.withInitial(() -> images.session(1));
        float[] logits = perThread.get().run(pixels);   // the session's own array, like h
        // --- end of the snippet ---

        assertEquals(256, h.length);
        assertEquals(10, logits.length);
        float before = h[0];
        features[5] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> stream.step(features));
        assertEquals(before, stream.hidden()[0], "a refused step keeps the state");
    }
}
