package dev.lanes.examples;

import dev.lanes.autograd.Losses;
import dev.lanes.data.Batch;
import dev.lanes.data.DataLoader;
import dev.lanes.data.Epoch;
import dev.lanes.data.FashionMnist;
import dev.lanes.data.Normalize;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.optim.SGD;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.train.Charts;
import dev.lanes.train.Csv;
import dev.lanes.train.Series;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Do shortcuts ease the vanishing gradient? Plain and residual CIFAR networks of the same depths
 * (the same layers, with and without shortcuts) train on the same Fashion-MNIST batches with the
 * same SGD; the program records the gradient norm of every convolution's weight on the first
 * batch (from the input side to the output side) and the training loss of every step, and writes
 * both as CSV and PNG.
 */
public final class ShortcutExperiment {

    private ShortcutExperiment() {
    }

    /**
     * Runs the experiment and exits with its status when it fails.
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
     * Runs the experiment, printing to the given streams.
     *
     * @return 0, 2 for bad flags, 1 when the data or the results cannot be read or written
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Flags flags = new Flags("ShortcutExperiment", List.of(
                new Flags.Flag("depths", "20,56", "comma-separated depths (6n + 2)"),
                new Flags.Flag("steps", "60", "SGD steps per network"),
                new Flags.Flag("batch", "32", "images per batch (from the shipped Fashion-MNIST slice)"),
                new Flags.Flag("lr", "0.05", "SGD learning rate (momentum 0.9)"),
                new Flags.Flag("seed", "1", "seed of the weights and the batches"),
                new Flags.Flag("out", "target/shortcuts", "directory for the CSV and PNG files")));
        try {
            flags.parse(args);
            if (flags.help()) {
                out.print(flags.usage());
                return 0;
            }
            List<Integer> depths = new ArrayList<>();
            for (String d : flags.text("depths").split(",")) {
                depths.add(Integer.parseInt(d.trim()));
            }
            int steps = flags.integer("steps", 1, 1_000_000);
            int batch = flags.integer("batch", 1, 2000);
            double lr = flags.real("lr", 0, 10);
            long seed = flags.longValue("seed");
            Path dir = Path.of(flags.text("out"));
            Files.createDirectories(dir);
            FashionMnist.Splits data = FashionMnist.slice();
            List<Series> norms = new ArrayList<>();
            List<Series> losses = new ArrayList<>();
            for (int depth : depths) {
                for (boolean residual : new boolean[] {false, true}) {
                    ResNet net = ResNets.cifar(depth, 1, 10, Shortcut.ZERO_PAD, residual, DType.F32,
                            new Generator(seed));
                    double[][] r = train(net, data, steps, batch, lr, seed, out);
                    norms.add(series(net.name(), r[0]));
                    losses.add(series(net.name(), r[1]));
                }
            }
            write(dir, "gradient-norms", "conv layer (input side first)", norms, out);
            write(dir, "loss", "step", losses, out);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("ShortcutExperiment: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("ShortcutExperiment: " + e.getMessage());
            return 1;
        }
    }

    /** @return the first batch's conv-weight gradient norms, then the loss of every step */
    private static double[][] train(ResNet net, FashionMnist.Splits data, int steps, int batch, double lr, long seed,
                                    PrintStream out) {
        SGD opt = new SGD(net.parameters(), lr, 0.9);
        DataLoader loader = DataLoader.builder(data.train()).batchSize(batch).shuffle(true).seed(seed)
                .normalize(Normalize.fit(data.train())).build();
        double[] loss = new double[steps];
        double[] norms = null;
        long start = System.nanoTime();
        int step = 0;
        for (int epoch = 0; step < steps; epoch++) {
            try (Epoch e = loader.epoch(epoch)) {
                for (Batch b : e) {
                    if (step == steps) {
                        break;
                    }
                    opt.zeroGrad();
                    Tensor l = Losses.crossEntropy(net.forward(b.images()), b.labels());
                    l.backward();
                    if (norms == null) {
                        norms = convGradientNorms(net);
                    }
                    opt.step();
                    loss[step++] = l.item();
                }
            }
        }
        out.printf(Locale.ROOT, "%-10s first conv |grad| %.3e, last conv |grad| %.3e, loss %.3f -> %.3f (mean of"
                        + " the last 10 steps), %.1f s%n", net.name(), norms[0], norms[norms.length - 1], loss[0],
                mean(loss, Math.max(0, steps - 10), steps), (System.nanoTime() - start) / 1e9);
        return new double[][] {norms, loss};
    }

    /** @return the 2-norm of the gradient of every 3x3 convolution weight, in forward order */
    private static double[] convGradientNorms(ResNet net) {
        List<Double> norms = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
            Tensor w = e.getValue();
            if (e.getKey().endsWith("weight") && w.rank() == 4 && w.size(2) == 3) {
                double s = 0;
                for (double g : w.grad().toDoubleArray()) {
                    s += g * g;
                }
                norms.add(Math.sqrt(s));
            }
        }
        return norms.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    private static Series series(String name, double[] y) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        return new Series(name, x, y);
    }

    private static void write(Path dir, String name, String xLabel, List<Series> series, PrintStream out)
            throws IOException {
        int rows = 0;
        for (Series s : series) {
            rows = Math.max(rows, s.size());
        }
        List<String> header = new ArrayList<>();
        header.add("x");
        for (Series s : series) {
            header.add(s.name());
        }
        List<double[]> table = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            double[] row = new double[series.size() + 1];
            row[0] = i + 1;
            for (int k = 0; k < series.size(); k++) {
                row[k + 1] = i < series.get(k).size() ? series.get(k).y()[i] : Double.NaN;
            }
            table.add(row);
        }
        Csv.write(dir.resolve(name + ".csv"), header, table);
        if (Charts.available()) {
            Charts.linePng(dir.resolve(name + ".png"), name.equals("loss") ? "Training loss" :
                    "Gradient norm of each conv weight, first batch", xLabel, name.equals("loss") ? "loss" : "|grad|",
                    series, true);
            out.println("wrote " + dir.resolve(name + ".png") + " and " + dir.resolve(name + ".csv"));
        }
    }
}
