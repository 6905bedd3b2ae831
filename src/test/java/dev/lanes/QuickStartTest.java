package dev.lanes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.io.SafeTensors;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.LstmState;
import dev.lanes.optim.Adam;
import dev.lanes.serve.RecurrentPlan;
import dev.lanes.serve.RecurrentSession;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's quick start, as written there: it trains, the file round-trips, the plan serves the trained cell. */
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
}
