package dev.lanes.cli;

import dev.lanes.autograd.Ops;
import dev.lanes.data.DataLoader;
import dev.lanes.data.FashionMnist;
import dev.lanes.data.Normalize;
import dev.lanes.examples.AddingProblemExample;
import dev.lanes.examples.Flags;
import dev.lanes.examples.TranslationExample;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.optim.Adam;
import dev.lanes.optim.SGD;
import dev.lanes.optim.Schedules;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.train.EpochMetrics;
import dev.lanes.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code lanes train ...}: the training programs. */
final class TrainCommand {

    static final String USAGE = """
            usage: lanes train <model> [--flags]   (lanes train <model> --help lists the flags)
              mlp        a multilayer perceptron on Fashion-MNIST (the slice shipped in the jar, or
                         the full set from /usr/share/datasets/fashion-mnist or --data DIR), with
                         progress, metrics, curves, checkpoints and --resume
              resnet     a CIFAR-style ResNet (or its plain twin) on Fashion-MNIST: --depth 20..110,
                         --shortcut A|B, --plain, SGD with Nesterov momentum and cosine decay
              lstm       the recurrent tasks: --task adding (the adding problem, LSTM against a
                         tanh RNN) or --task translate (Polish number words to English)
            """;

    private TrainCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        String model = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (model) {
            case "mlp" -> {
                return mlp(rest, out);
            }
            case "lstm" -> {
                return lstm(rest, out, err);
            }
            case "resnet" -> {
                return resnet(rest, out);
            }
            case "", "help", "-h", "--help" -> {
                out.print(USAGE);
                return model.isEmpty() ? 2 : 0;
            }
            default -> {
                err.println("lanes train: unknown model '" + model + "' (lanes train --help lists them)");
                return 2;
            }
        }
    }

    private static int lstm(String[] args, PrintStream out, PrintStream err) {
        int task = -1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--task") && i + 1 < args.length || args[i].startsWith("--task=")) {
                task = i;
            }
        }
        if (task < 0) {
            boolean help = Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
            (help ? out : err).println("""
                    usage: lanes train lstm --task adding|translate [task flags]
                      adding     the adding problem at T = 100: LSTM against a tanh RNN
                      translate  Polish number words to English with an LSTM encoder-decoder
                    lanes train lstm --task adding --help lists that task's flags""");
            return help ? 0 : 2;
        }
        String name = args[task].startsWith("--task=") ? args[task].substring(7) : args[task + 1];
        int skip = args[task].startsWith("--task=") ? 1 : 2;
        String[] rest = new String[args.length - skip];
        System.arraycopy(args, 0, rest, 0, task);
        System.arraycopy(args, task + skip, rest, task, args.length - task - skip);
        return switch (name) {
            case "adding" -> AddingProblemExample.run(rest, out, err);
            case "translate" -> TranslationExample.run(rest, out, err);
            default -> {
                err.println("lanes train lstm: unknown task '" + name + "' (adding or translate)");
                yield 2;
            }
        };
    }

    /** A 784-h-10 ReLU network for 28 x 28 images. */
    static final class Mlp extends Layer {
        private final Linear hidden;
        private final Linear output;

        Mlp(int width, Generator gen) {
            hidden = registerModule("0", new Linear(28 * 28, width, gen));
            output = registerModule("2", new Linear(width, 10, gen));
        }

        @Override
        public Tensor forward(Tensor x) {
            return output.forward(Ops.relu(hidden.forward(Ops.reshape(x, x.size(0), 28 * 28))));
        }
    }

    /** The flags every image-classification command takes, after the model's own ones. */
    private static List<Flags.Flag> withCommonFlags(String command, List<Flags.Flag> own, String epochs,
                                                    String batch) {
        List<Flags.Flag> all = new ArrayList<>(own);
        all.addAll(List.of(
                new Flags.Flag("data", "slice", "slice (2,000 + 500 images in the jar), full (the Debian package's"
                        + " directory) or a directory with the four IDX files"),
                new Flags.Flag("epochs", epochs, "epochs"),
                new Flags.Flag("batch", batch, "batch size"),
                new Flags.Flag("patience", "0", "early stopping after this many epochs without a better test loss"
                        + " (0: off)"),
                new Flags.Flag("seed", "1", "seed of the initial weights, the data order and the augmentations"),
                new Flags.Flag("out", "target/train-" + command, "directory for metrics.csv, the PNG curves and"
                        + " checkpoint.safetensors"),
                new Flags.Flag("checkpoint-every", "0", "also checkpoint every N steps (0: at epoch ends only)"),
                new Flags.Flag("keep", "1", "keep the last N checkpoints (older ones as checkpoint.step-<step>);"
                        + " the best epoch's is kept as checkpoint.best"),
                new Flags.Flag("resume", "", "continue from this checkpoint (same flags as the run that wrote"
                        + " it)")));
        return all;
    }

    private static FashionMnist.Splits load(String data) throws IOException {
        return switch (data) {
            case "slice" -> FashionMnist.slice();
            case "full" -> FashionMnist.load();
            default -> FashionMnist.load(Path.of(data));
        };
    }

    /** Adds the common options to {@code b}, resumes if asked, trains and reports. */
    private static int fit(Trainer.Builder b, Flags flags, String model, FashionMnist.Splits splits, PrintStream out)
            throws IOException {
        Path dir = Path.of(flags.text("out"));
        int epochs = flags.integer("epochs", 1, 100_000);
        int every = flags.integer("checkpoint-every", 0, 1 << 30);
        int keep = flags.integer("keep", 1, 1000);
        int patience = flags.integer("patience", 0, 100_000);
        Path resume = flags.text("resume").isEmpty() ? null : Path.of(flags.text("resume"));
        if (resume != null && !Files.isRegularFile(resume)) {
            throw new IllegalArgumentException("--resume: no checkpoint file at " + resume);
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out: " + dir + " exists and is not a directory");
        }
        Path checkpoint = dir.resolve("checkpoint.safetensors");
        b.epochs(epochs).checkpoint(checkpoint, every).keepCheckpoints(keep).curves(dir)
                .progress(out, System.console() != null && System.console().isTerminal());
        if (patience > 0) {
            b.earlyStopping(patience, 0);
        }
        Trainer trainer = b.build();
        // No directory is made here: the trainer makes it when it first writes a checkpoint or the
        // curves, so a run that fails before that leaves nothing behind.
        out.printf(Locale.ROOT, "training %s on %d images (%s), testing on %d%n", model, splits.train().size(),
                flags.text("data"), splits.test().size());
        if (resume != null) {
            trainer.resume(resume);
            out.println("resumed at step " + trainer.steps() + " from " + resume);
        }
        List<EpochMetrics> h = trainer.fit();
        if (!h.isEmpty()) {
            EpochMetrics last = h.get(h.size() - 1);
            out.printf(Locale.ROOT, "test accuracy %.2f%% after %d epochs; metrics, curves and checkpoint in %s%n",
                    100 * last.testAccuracy(), last.epoch(), dir);
        }
        return 0;
    }

    private static int mlp(String[] args, PrintStream out) throws IOException {
        Flags flags = new Flags("lanes train mlp", withCommonFlags("mlp", List.of(
                new Flags.Flag("hidden", "256", "hidden units"),
                new Flags.Flag("lr", "0.001", "Adam learning rate, halved every --lr-step epochs"),
                new Flags.Flag("lr-step", "5", "epochs between halvings of the learning rate")), "10", "64"));
        flags.parse(args);
        if (flags.help()) {
            out.print(flags.usage());
            return 0;
        }
        FashionMnist.Splits splits = load(flags.text("data"));
        long seed = flags.longValue("seed");
        Normalize norm = Normalize.fit(splits.train());
        DataLoader train = DataLoader.builder(splits.train()).batchSize(flags.integer("batch", 1, 1 << 16))
                .shuffle(true).seed(seed).normalize(norm).build();
        DataLoader test = DataLoader.builder(splits.test()).batchSize(1000).normalize(norm).build();
        Mlp model = new Mlp(flags.integer("hidden", 1, 1 << 16), new Generator(seed));
        Adam opt = new Adam(model.parameters(), flags.real("lr", 0, 10));
        Trainer.Builder b = Trainer.builder(model, opt, train).test(test)
                .schedule(Schedules.step(opt, flags.integer("lr-step", 1, 100_000), 0.5));
        return fit(b, flags, "Mlp", splits, out);
    }

    private static int resnet(String[] args, PrintStream out) throws IOException {
        Flags flags = new Flags("lanes train resnet", withCommonFlags("resnet", List.of(
                new Flags.Flag("depth", "20", "6n + 2: 20, 32, 44, 56, 110"),
                new Flags.Flag("shortcut", "A", "A (zero-padded identity) or B (1x1 projection) where the shape"
                        + " changes"),
                Flags.Flag.onOff("plain", false, "the same network without shortcuts"),
                new Flags.Flag("lr", "0.1", "SGD learning rate (Nesterov momentum 0.9, weight decay 5e-4, cosine"
                        + " decay to 0)"),
                new Flags.Flag("decay", "step", "step: the cosine decays after every batch; epoch: after every"
                        + " epoch"),
                new Flags.Flag("crop", "2", "random-crop padding in pixels (0: none)"),
                Flags.Flag.onOff("flip", true, "random horizontal flips (--flip=false: none)")), "10", "128"));
        flags.parse(args);
        if (flags.help()) {
            out.print(flags.usage());
            return 0;
        }
        FashionMnist.Splits splits = load(flags.text("data"));
        long seed = flags.longValue("seed");
        Normalize norm = Normalize.fit(splits.train());
        DataLoader.Builder tb = DataLoader.builder(splits.train()).batchSize(flags.integer("batch", 1, 1 << 16))
                .shuffle(true).seed(seed).normalize(norm);
        int crop = flags.integer("crop", 0, 16);
        if (crop > 0) {
            tb.randomCrop(crop);
        }
        if (flags.on("flip")) {
            tb.horizontalFlip();
        }
        DataLoader test = DataLoader.builder(splits.test()).batchSize(500).normalize(norm).build();
        Shortcut shortcut = switch (flags.text("shortcut")) {
            case "A", "a" -> Shortcut.ZERO_PAD;
            case "B", "b" -> Shortcut.PROJECTION;
            default -> throw new IllegalArgumentException("--shortcut must be A or B, got " + flags.text("shortcut"));
        };
        ResNet model = ResNets.cifar(flags.integer("depth", 8, 1000), splits.train().channels(), 10, shortcut,
                !flags.on("plain"), DType.F32, new Generator(seed));
        SGD opt = new SGD(model.parameters(), flags.real("lr", 0, 10), 0.9, 0, 5e-4, true);
        DataLoader train = tb.build();
        int epochs = flags.integer("epochs", 1, 100_000);
        Trainer.Builder b = Trainer.builder(model, opt, train).test(test);
        switch (flags.text("decay")) {
            case "step" -> b.schedulePerStep(Schedules.cosine(opt, epochs * train.batchesPerEpoch(), 0));
            case "epoch" -> b.schedule(Schedules.cosine(opt, epochs, 0));
            default -> throw new IllegalArgumentException("--decay must be step or epoch, got " + flags.text("decay"));
        }
        return fit(b, flags, String.format(Locale.ROOT, "%s (%,d parameters)", model.name(), model.parameterCount()),
                splits, out);
    }
}
