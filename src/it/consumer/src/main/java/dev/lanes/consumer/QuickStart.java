package dev.lanes.consumer;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.Ops;
import dev.lanes.data.DataLoader;
import dev.lanes.data.FashionMnist;
import dev.lanes.io.SafeTensors;
import dev.lanes.kernel.Kernels;
import dev.lanes.nn.Flatten;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.Sequential;
import dev.lanes.optim.Adam;
import dev.lanes.optim.SGD;
import dev.lanes.serve.RecurrentPlan;
import dev.lanes.serve.RecurrentSession;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the README's Quick Start, a user-written model and the trainer with curves, and fails
 * (exit status 1) when anything is off. Arguments: a label for the run, and a scratch directory.
 */
public final class QuickStart {

    public static void main(String[] args) throws Exception {
        String label = args[0];
        Path scratch = Files.createDirectories(Path.of(args[1]));
        boolean onModulePath = QuickStart.class.getModule().isNamed();
        check(onModulePath == label.equals("module-path"), "ran on the " + label + " (named module: " + onModulePath + ")");
        check(Kernels.provider() == Kernels.Provider.VECTOR, "the vector provider runs with --add-modules: "
                + Kernels.vectorUnavailableReason().orElse(""));
        check(!xchartVisible(), "XChart is not on the " + label);

        // --- README quick start ---
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
        Path file = scratch.resolve("lstm.safetensors");
        SafeTensors.write(file, cell.stateDict());          // PyTorch's names: weight_ih, weight_hh, bias_ih, bias_hh
        LSTMCell loaded = new LSTMCell(1, 8, new Generator(0));
        loaded.loadStateDict(SafeTensors.read(file));
        RecurrentPlan plan = RecurrentPlan.freeze(loaded);  // immutable copy, shared by any number of threads
        RecurrentSession session = plan.session(1);         // one per stream; step() allocates nothing
        float[] next = new float[wave.length];
        for (int t = 0; t < wave.length; t++) next[t] = session.step(new float[] {wave[t]})[0];
        // --- end of the quick start ---
        check(losses[199] < losses[0] / 10, "the quick start's loss fell tenfold: " + losses[0] + " -> " + losses[199]);
        double error = 0;
        for (int t = 0; t + 1 < wave.length; t++) {
            error += Math.abs(next[t] - wave[t + 1]) / (wave.length - 1);
        }
        check(error < 0.1, "the served forecasts follow the wave: mean error " + error);

        // A user's own models: one gradient step lowers the loss.
        TwoLayerNet net = new TwoLayerNet(3, 6, 1, new Generator(2));
        Tensor x = Tensor.randn(new Generator(3), DType.F32, 16, 3);
        Tensor y = Tensor.randn(new Generator(4), DType.F32, 16, 1);
        SGD sgd = new SGD(net.parameters(), 0.05);
        double before = Losses.mse(net.forward(x), y).item();
        Tensor loss = Losses.mse(net.forward(x), y);
        loss.backward();
        sgd.step();
        double after = Losses.mse(net.forward(x), y).item();
        check(after < before, "a step on TwoLayerNet lowered the loss: " + before + " -> " + after);
        check(net.stateDict().containsKey("hidden.weight"), "PyTorch-style names: " + net.stateDict().keySet());
        check(new ModuleImportNet(new Generator(5)).forward(x).shape().dims()[1] == 1, "ModuleImportNet runs");

        // The trainer with curves, without XChart: the CSV, and one line saying how to get charts.
        FashionMnist.Splits data = FashionMnist.slice();
        DataLoader train = DataLoader.builder(data.train()).batchSize(100).shuffle(true).seed(1).build();
        Sequential classifier = new Sequential(new Flatten(), new TwoLayerNet(28 * 28, 32, 10, new Generator(6)));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path curves = scratch.resolve("curves");
        Trainer.builder(classifier, new Adam(classifier.parameters(), 1e-3), train).epochs(1).curves(curves)
                .progress(new PrintStream(log, true, StandardCharsets.UTF_8), false).build().fit();
        String text = log.toString(StandardCharsets.UTF_8);
        check(Files.exists(curves.resolve("metrics.csv")), "metrics.csv written");
        check(text.contains("XChart"), "the trainer said how to get charts: " + text);
        System.out.println("consumer " + label + ": quick start loss " + losses[0] + " -> " + losses[199]
                + ", own models and trainer OK");
    }

    private static boolean xchartVisible() {
        try {
            Class.forName("org.knowm.xchart.XYChart");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("consumer check failed: " + what);
            System.exit(1);
        }
    }
}
