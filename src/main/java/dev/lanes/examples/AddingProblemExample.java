package dev.lanes.examples;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.data.AddingProblem;
import dev.lanes.optim.Adam;
import dev.lanes.optim.GradClip;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.train.Charts;
import dev.lanes.train.Csv;
import dev.lanes.train.Series;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997): a recurrent network reads T pairs
 * (value, marker) and must output the sum of the two marked values, one marked in each half of
 * the sequence. Always answering the mean scores a mean squared error of about 0.167; only a
 * network that carries a value across tens of steps does better.
 *
 * <p>Each chosen cell (by default an LSTM and a vanilla tanh RNN of the same size) is trained
 * with Adam and gradient-norm clipping on the same stream of fresh random batches, for the same
 * number of steps, and scored on the same held-out test set. Everything is seeded: the same flags
 * give the same numbers. Writes {@code adding-<cell>.csv} (step, training loss, test MSE,
 * elapsed seconds) and {@code adding-loss.png} to the output directory.
 *
 * <pre>
 * ./mvnw -q compile exec:exec -Dlanes.main=dev.lanes.examples.AddingProblemExample -Dlanes.args="--help"
 * </pre>
 */
public final class AddingProblemExample {

    private static final int TEST_CHUNK = 250;

    /**
     * What one training run measured.
     *
     * @param cell     the cell trained
     * @param rows     per step: step, training loss, test MSE (NaN between evaluations), seconds
     * @param testMse  the final test MSE
     * @param seconds  the training time, evaluations included
     */
    record Result(LastStepRegressor.Cell cell, List<double[]> rows, double testMse, double seconds) {
    }

    /** The settings of a run. */
    record Settings(int length, int steps, int batch, int hidden, double lr, double clip, int evalEvery,
                    int logEvery, int testSize, long seed) {
    }

    private AddingProblemExample() {
    }

    /**
     * Runs the example and exits with its status when it fails.
     *
     * @param args flags; {@code --help} lists them
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the example, printing to the given streams.
     *
     * @param args flags; {@code --help} lists them
     * @param out  progress, results and the usage text
     * @param err  error messages
     * @return 0, 2 for bad flags, 1 when the results cannot be written
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Flags flags = new Flags("AddingProblemExample", List.of(
                new Flags.Flag("cells", "lstm,rnn", "comma-separated cells to train: lstm, rnn, gru"),
                new Flags.Flag("length", "100", "sequence length T"),
                new Flags.Flag("steps", "2000", "training steps (batches) per cell"),
                new Flags.Flag("batch", "64", "sequences per batch"),
                new Flags.Flag("hidden", "128", "hidden size"),
                new Flags.Flag("lr", "0.003", "Adam learning rate"),
                new Flags.Flag("clip", "1.0", "gradient-norm clipping threshold"),
                new Flags.Flag("eval-every", "100", "steps between test evaluations"),
                new Flags.Flag("log-every", "100", "steps between progress lines"),
                new Flags.Flag("test-size", "1000", "held-out test sequences"),
                new Flags.Flag("seed", "1", "seed of the data and the initial weights"),
                new Flags.Flag("out", "target/adding-problem", "directory for the CSV and PNG files")));
        try {
            flags.parse(args);
            if (flags.help()) {
                out.print(flags.usage());
                return 0;
            }
            List<LastStepRegressor.Cell> cells = new ArrayList<>();
            for (String c : flags.text("cells").split(",")) {
                cells.add(LastStepRegressor.Cell.parse(c));
            }
            Settings s = new Settings(flags.integer("length", 2, 100_000), flags.integer("steps", 1, 10_000_000),
                    flags.integer("batch", 1, 1 << 16), flags.integer("hidden", 1, 1 << 14),
                    flags.real("lr", 0, 10), flags.real("clip", 0, Double.MAX_VALUE),
                    flags.integer("eval-every", 1, Integer.MAX_VALUE), flags.integer("log-every", 1, Integer.MAX_VALUE),
                    flags.integer("test-size", 1, 1 << 20), flags.longValue("seed"));
            run(s, cells, Path.of(flags.text("out")), out);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("AddingProblemExample: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("AddingProblemExample: cannot write the results: " + e.getMessage());
            return 1;
        }
    }

    /** Trains every cell, prints the comparison and writes the files. */
    static List<Result> run(Settings s, List<LastStepRegressor.Cell> cells, Path out, PrintStream log)
            throws IOException {
        AddingProblem problem = new AddingProblem(s.length());
        Generator seeds = new Generator(s.seed());
        long initSeed = seeds.nextLong();
        long dataSeed = seeds.nextLong();
        AddingProblem.Batch test = problem.sample(new Generator(seeds.nextLong()), s.testSize());
        double mean = AddingProblem.mean(test.targets());
        log.printf(Locale.ROOT, "adding problem: T = %d, %d test sequences; predicting 1 (the expected sum) scores"
                        + " MSE %.4f, predicting the test mean %.4f scores %.4f (theory: 1/6 = %.4f)%n",
                s.length(), s.testSize(), AddingProblem.constantMse(test.targets(), 1.0), mean,
                AddingProblem.constantMse(test.targets(), mean), AddingProblem.BASELINE_MSE);
        List<Result> results = new ArrayList<>();
        for (LastStepRegressor.Cell cell : cells) {
            LastStepRegressor model = new LastStepRegressor(cell, 2, s.hidden(), 1, new Generator(initSeed));
            log.printf(Locale.ROOT, "%s: hidden %d, %d parameters, Adam lr %g, clip %g, batch %d, %d steps%n",
                    cell.label(), s.hidden(), model.parameterCount(), s.lr(), s.clip(), s.batch(), s.steps());
            Result r = train(model, problem, test, new Generator(dataSeed), s, log);
            results.add(r);
            Csv.write(out.resolve("adding-" + cell.label() + ".csv"), List.of("step", "loss", "test_mse", "seconds"),
                    r.rows());
        }
        log.println("summary (baseline MSE " + String.format(Locale.ROOT, "%.4f",
                AddingProblem.constantMse(test.targets(), 1.0)) + "):");
        for (Result r : results) {
            log.printf(Locale.ROOT, "  %-4s test MSE %.5f after %d steps, %.1f s%n", r.cell().label(), r.testMse(),
                    s.steps(), r.seconds());
        }
        plot(results, AddingProblem.constantMse(test.targets(), 1.0), out, log);
        return results;
    }

    /** Trains one model on fresh batches; evaluates on the test set every {@code evalEvery} steps. */
    static Result train(LastStepRegressor model, AddingProblem problem, AddingProblem.Batch test, Generator data,
                        Settings s, PrintStream log) {
        Adam opt = new Adam(model.parameters(), s.lr());
        List<double[]> rows = new ArrayList<>();
        long start = System.nanoTime();
        double windowLoss = 0;
        double testMse = Double.NaN;
        for (int step = 1; step <= s.steps(); step++) {
            AddingProblem.Batch batch = problem.sample(data, s.batch());
            opt.zeroGrad();
            Tensor loss = Losses.mse(model.forward(batch.inputs()), batch.targets());
            loss.backward();
            GradClip.clipGradNorm(model.parameters(), s.clip(), 2);
            opt.step();
            double l = loss.item();
            windowLoss += l;
            double evaluated = Double.NaN;
            if (step % s.evalEvery() == 0 || step == s.steps()) {
                testMse = evaluate(model, test);
                evaluated = testMse;
            }
            double seconds = (System.nanoTime() - start) * 1e-9;
            rows.add(new double[] {step, l, evaluated, seconds});
            if (step % s.logEvery() == 0 || step == s.steps()) {
                int n = step % s.logEvery() == 0 ? s.logEvery() : step % s.logEvery();
                log.printf(Locale.ROOT, "%-4s step %6d/%d  loss %.5f  test MSE %s  %.1f s%n", model.cell().label(),
                        step, s.steps(), windowLoss / n, Double.isNaN(testMse) ? "-" : String.format(Locale.ROOT,
                                "%.5f", testMse), seconds);
                windowLoss = 0;
            }
        }
        return new Result(model.cell(), rows, testMse, (System.nanoTime() - start) * 1e-9);
    }

    /** @return the model's mean squared error over the test set, without a tape */
    static double evaluate(LastStepRegressor model, AddingProblem.Batch test) {
        int n = test.size();
        double sum = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < n; from += TEST_CHUNK) {
                int len = Math.min(TEST_CHUNK, n - from);
                Tensor x = Ops.narrow(test.inputs(), 1, from, len);
                Tensor y = Ops.narrow(test.targets(), 0, from, len);
                sum += Losses.mse(model.forward(x), y).item() * len;
            }
        }
        return sum / n;
    }

    /** Writes the loss curves (mean training loss per evaluation window, and test MSE). */
    private static void plot(List<Result> results, double baseline, Path out, PrintStream log) throws IOException {
        if (!Charts.available()) {
            log.println("XChart is not on the class path: no PNG written (the CSV files have the curves)");
            return;
        }
        List<Series> series = new ArrayList<>();
        double lastStep = 1;
        for (Result r : results) {
            List<double[]> train = new ArrayList<>();
            List<double[]> test = new ArrayList<>();
            double sum = 0;
            int count = 0;
            for (double[] row : r.rows()) {
                sum += row[1];
                count++;
                if (!Double.isNaN(row[2])) {
                    train.add(new double[] {row[0], sum / count});
                    test.add(new double[] {row[0], row[2]});
                    sum = 0;
                    count = 0;
                }
                lastStep = Math.max(lastStep, row[0]);
            }
            series.add(series(r.cell().label() + " train (window mean)", train));
            series.add(series(r.cell().label() + " test", test));
        }
        series.add(new Series("predict the mean", new double[] {0, lastStep}, new double[] {baseline, baseline}));
        Path png = out.resolve("adding-loss.png");
        Charts.linePng(png, "Adding problem: MSE", "step", "MSE (log scale)", series, true);
        log.println("wrote " + png + " and the CSV files next to it");
    }

    private static Series series(String name, List<double[]> points) {
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        return new Series(name, x, y);
    }
}
