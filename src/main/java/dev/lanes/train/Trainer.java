package dev.lanes.train;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.NoGrad;
import dev.lanes.data.Batch;
import dev.lanes.data.DataLoader;
import dev.lanes.data.Epoch;
import dev.lanes.data.LoaderPosition;
import dev.lanes.nn.Layer;
import dev.lanes.optim.GradClip;
import dev.lanes.optim.LRSchedule;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Trains a classifier over a {@link DataLoader}: per batch {@code zeroGrad}, forward, loss,
 * backward, optional gradient-norm clipping and an optimizer step; per epoch the schedule's step,
 * an evaluation on the test loader, metrics, early stopping and a checkpoint.
 *
 * <p>Progress goes to a terminal as a line redrawn in place (percentage, items/s, time left,
 * running loss and accuracy), or as plain log lines when the output is not a terminal.
 *
 * <p>Checkpoints ({@link TrainingState}) hold the model, the optimizer, the position in the data,
 * the schedule's progress, the states of the generators given to
 * {@link Builder#generators(Generator...)} (dropout masks and the like) and the metrics, and are
 * written atomically (temporary file, fsync, rename: a crash while saving leaves the previous
 * checkpoint). {@link #resume(Path)} on a trainer built the same way continues <em>bit for
 * bit</em> as the uninterrupted run would have: the same batches, the same parameters, the same
 * metrics.
 */
public final class Trainer {

    /** A loss of the model's output and the batch's labels, as a scalar tensor. */
    @FunctionalInterface
    public interface LossFunction {
        /**
         * @param output the model's output for the batch
         * @param labels the batch's labels
         * @return the scalar loss to differentiate
         */
        Tensor apply(Tensor output, int[] labels);
    }

    private final Layer model;
    private final Optimizer optimizer;
    private final DataLoader train;
    private final DataLoader test;
    private final LossFunction loss;
    private final int epochs;
    private final LRSchedule schedule;
    private final boolean schedulePerStep;
    private final double clipNorm;
    private final int patience;
    private final double minDelta;
    private final Path checkpoint;
    private final int checkpointEvery;
    private final long maxSteps;
    private final List<Generator> generators;
    private final PrintStream out;
    private final boolean live;
    private final Path curves;
    private boolean chartAdviceGiven;

    private int epoch;
    private int batch;
    private long step;
    private int scheduleSteps;
    private double lossSum;
    private long correct;
    private long seen;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs;
    private final List<EpochMetrics> history = new ArrayList<>();

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.train = b.train;
        this.test = b.test;
        this.loss = b.loss;
        this.epochs = b.epochs;
        this.schedule = b.schedule;
        this.schedulePerStep = b.schedulePerStep;
        this.clipNorm = b.clipNorm;
        this.patience = b.patience;
        this.minDelta = b.minDelta;
        this.checkpoint = b.checkpoint;
        this.checkpointEvery = b.checkpointEvery;
        this.maxSteps = b.maxSteps;
        this.generators = List.copyOf(b.generators);
        this.out = b.out;
        this.live = b.live;
        this.curves = b.curves;
    }

    /**
     * @param model     the model; {@code forward} maps a batch of inputs to one row of outputs per item
     * @param optimizer the optimizer over the model's parameters
     * @param train     the training batches
     * @return a builder with the defaults: cross entropy, 1 epoch, no schedule, no clipping, no
     *         early stopping, no checkpoints, progress on {@code System.out}
     */
    public static Builder builder(Layer model, Optimizer optimizer, DataLoader train) {
        return new Builder(model, optimizer, train);
    }

    /** @return the epochs finished so far, with their metrics */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /** @return the optimizer steps taken so far */
    public long steps() {
        return step;
    }

    /**
     * Restores a checkpoint written by a trainer built the same way (model, optimizer, loaders,
     * schedule and generators constructed as for the original run); the next {@link #fit()}
     * continues where the checkpoint was taken. The schedule is replayed to its saved number of
     * steps, then the optimizer's state (with its learning rate) is loaded.
     *
     * @throws IOException when the file is not a trainer checkpoint, or was written for another
     *                     loader seed or another number of generators
     */
    public void resume(Path file) throws IOException {
        TrainingState.Loaded c = TrainingState.read(file);
        TrainingState s = c.state();
        if (s.loaderSeed() != train.seed()) {
            throw new IOException(file + ": written for a training loader with seed " + s.loaderSeed()
                    + ", this one has seed " + train.seed());
        }
        if (s.generators().length != generators.size()) {
            throw new IOException(file + ": holds " + s.generators().length + " generator states, this trainer has "
                    + generators.size());
        }
        if (s.scheduleSteps() > 0 && schedule == null) {
            throw new IOException(file + ": written with a learning-rate schedule, this trainer has none");
        }
        model.loadStateDict(c.model());
        for (int i = scheduleSteps; i < s.scheduleSteps(); i++) {
            schedule.step();
        }
        optimizer.loadStateDict(c.optimizer());
        for (int i = 0; i < generators.size(); i++) {
            generators.get(i).restore(s.generators()[i]);
        }
        epoch = s.epoch();
        batch = s.batch();
        step = s.step();
        scheduleSteps = s.scheduleSteps();
        lossSum = s.lossSum();
        correct = s.correct();
        seen = s.seen();
        best = s.best();
        badEpochs = s.badEpochs();
        history.clear();
        history.addAll(s.history());
    }

    /**
     * Trains until the last epoch, early stopping or the step limit.
     *
     * @return the metrics of every finished epoch
     * @throws IOException when a checkpoint or the curves cannot be written
     */
    public List<EpochMetrics> fit() throws IOException {
        boolean stop = false;
        while (epoch < epochs && !stop && step < maxSteps) {
            stop = runEpoch();
        }
        if (curves != null) {
            writeCurves();
        }
        return history();
    }

    /** @return whether early stopping ended training */
    private boolean runEpoch() throws IOException {
        model.train();
        double lr = optimizer.lr();
        Progress progress = new Progress(out, live, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs),
                train.batchesPerEpoch(), batch);
        long start = System.nanoTime();
        try (Epoch batches = batch == 0 ? train.epoch(epoch)
                : train.resume(new LoaderPosition(train.seed(), epoch, batch))) {
            for (Batch b : batches) {
                optimizer.zeroGrad();
                Tensor output = model.forward(b.images());
                Tensor l = loss.apply(output, b.labels());
                l.backward();
                if (clipNorm > 0) {
                    GradClip.clipGradNorm(optimizer.params(), clipNorm, 2);
                }
                optimizer.step();
                if (schedule != null && schedulePerStep) {
                    schedule.step();
                    scheduleSteps++;
                }
                step++;
                batch++;
                lossSum += l.item() * b.size();
                correct += Metrics.correct(output, b.labels());
                seen += b.size();
                progress.update(batch, b.size(), lossSum / seen, (double) correct / seen);
                if (checkpoint != null && checkpointEvery > 0 && step % checkpointEvery == 0) {
                    save();
                }
                if (step >= maxSteps) {
                    if (checkpoint != null && (checkpointEvery == 0 || step % checkpointEvery != 0)) {
                        save();
                    }
                    return false;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] evaluation = test == null ? new double[] {Double.NaN, Double.NaN} : evaluate();
        if (schedule != null && !schedulePerStep) {
            schedule.step();
            scheduleSteps++;
        }
        EpochMetrics m = new EpochMetrics(epoch + 1, lossSum / seen, (double) correct / seen, evaluation[0],
                evaluation[1], lr, seconds);
        history.add(m);
        progress.finish(String.format(Locale.ROOT, "loss %.4f  acc %.2f%%%s  %.1f s", m.trainLoss(),
                100 * m.trainAccuracy(), test == null ? "" : String.format(Locale.ROOT,
                        "  test loss %.4f  test acc %.2f%%", m.testLoss(), 100 * m.testAccuracy()), seconds));
        double monitored = test == null ? m.trainLoss() : m.testLoss();
        if (monitored < best - minDelta) {
            best = monitored;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        epoch++;
        batch = 0;
        lossSum = 0;
        correct = 0;
        seen = 0;
        if (checkpoint != null) {
            save();
        }
        boolean stop = patience > 0 && badEpochs >= patience;
        if (stop) {
            out.println(String.format(Locale.ROOT, "early stopping: no improvement of the %s loss by more than %g"
                    + " for %d epochs (best %.4f)", test == null ? "training" : "test", minDelta, patience, best));
        }
        return stop;
    }

    /** @return mean loss and accuracy on the test loader, in evaluation mode without a tape */
    private double[] evaluate() {
        model.eval();
        double sum = 0;
        long right = 0;
        long n = 0;
        try (NoGrad ng = NoGrad.enter(); Epoch batches = test.epoch(0)) {
            for (Batch b : batches) {
                Tensor output = model.forward(b.images());
                sum += loss.apply(output, b.labels()).item() * b.size();
                right += Metrics.correct(output, b.labels());
                n += b.size();
            }
        } finally {
            model.train();
        }
        return new double[] {sum / n, (double) right / n};
    }

    private void save() throws IOException {
        long[] states = new long[generators.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = generators.get(i).state();
        }
        Path parent = checkpoint.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new TrainingState(epoch, batch, step, train.seed(), scheduleSteps, states, lossSum, correct, seen, best,
                badEpochs, history).save(checkpoint, model, optimizer);
    }

    private void writeCurves() throws IOException {
        Files.createDirectories(curves);
        List<double[]> rows = new ArrayList<>();
        for (EpochMetrics m : history) {
            rows.add(m.row());
        }
        Csv.write(curves.resolve("metrics.csv"), EpochMetrics.COLUMNS, rows);
        if (!Charts.available()) {
            if (!chartAdviceGiven) {
                chartAdviceGiven = true;
                out.println(Charts.HOW_TO_GET_CHARTS);
            }
            return;
        }
        if (history.isEmpty()) {
            return;
        }
        double[] x = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
        List<Series> lossSeries = new ArrayList<>();
        lossSeries.add(new Series("train", x, history.stream().mapToDouble(EpochMetrics::trainLoss).toArray()));
        List<Series> accSeries = new ArrayList<>();
        accSeries.add(new Series("train", x, history.stream().mapToDouble(EpochMetrics::trainAccuracy).toArray()));
        if (test != null) {
            lossSeries.add(new Series("test", x, history.stream().mapToDouble(EpochMetrics::testLoss).toArray()));
            accSeries.add(new Series("test", x, history.stream().mapToDouble(EpochMetrics::testAccuracy).toArray()));
        }
        Charts.linePng(curves.resolve("loss.png"), "Loss", "epoch", "loss", lossSeries, false);
        Charts.linePng(curves.resolve("accuracy.png"), "Accuracy", "epoch", "accuracy", accSeries, false);
        Charts.linePng(curves.resolve("lr.png"), "Learning rate", "epoch", "lr",
                List.of(new Series("lr", x, history.stream().mapToDouble(EpochMetrics::lr).toArray())), false);
    }

    /** The options of a {@link Trainer}. */
    public static final class Builder {

        private final Layer model;
        private final Optimizer optimizer;
        private final DataLoader train;
        private DataLoader test;
        private LossFunction loss = Losses::crossEntropy;
        private int epochs = 1;
        private LRSchedule schedule;
        private boolean schedulePerStep;
        private double clipNorm;
        private int patience;
        private double minDelta;
        private Path checkpoint;
        private int checkpointEvery;
        private long maxSteps = Long.MAX_VALUE;
        private final List<Generator> generators = new ArrayList<>();
        private PrintStream out = System.out;
        private boolean live = System.console() != null && System.console().isTerminal();
        private Path curves;

        private Builder(Layer model, Optimizer optimizer, DataLoader train) {
            this.model = Objects.requireNonNull(model, "Trainer: model is null");
            this.optimizer = Objects.requireNonNull(optimizer, "Trainer: optimizer is null");
            this.train = Objects.requireNonNull(train, "Trainer: train loader is null");
        }

        /** Evaluates on {@code loader} after every epoch (and monitors its loss for early stopping). */
        public Builder test(DataLoader loader) {
            this.test = Objects.requireNonNull(loader, "Trainer: test loader is null");
            return this;
        }

        /** The loss (default: cross entropy of the outputs as logits). */
        public Builder loss(LossFunction f) {
            this.loss = Objects.requireNonNull(f, "Trainer: loss is null");
            return this;
        }

        /** The number of epochs, >= 1. */
        public Builder epochs(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("Trainer: epochs must be >= 1, got " + n);
            }
            this.epochs = n;
            return this;
        }

        /** A schedule stepped after every epoch (replaces any schedule set before). */
        public Builder schedule(LRSchedule s) {
            this.schedule = Objects.requireNonNull(s, "Trainer: schedule is null");
            this.schedulePerStep = false;
            return this;
        }

        /**
         * A schedule stepped after every optimizer step, as PyTorch's OneCycleLR or a cosine
         * decay over all the steps of a short run are used (replaces any schedule set before).
         * Checkpoints record its steps, and resuming replays them.
         */
        public Builder schedulePerStep(LRSchedule s) {
            this.schedule = Objects.requireNonNull(s, "Trainer: schedule is null");
            this.schedulePerStep = true;
            return this;
        }

        /** Clips the gradients' 2-norm to {@code maxNorm} (> 0) before each step. */
        public Builder clipGradNorm(double maxNorm) {
            if (!(maxNorm > 0)) {
                throw new IllegalArgumentException("Trainer: maxNorm must be > 0, got " + maxNorm);
            }
            this.clipNorm = maxNorm;
            return this;
        }

        /**
         * Stops when the monitored loss (test loss with a test loader, else training loss) has not
         * fallen below its best minus {@code minDelta} for {@code patience} epochs in a row.
         */
        public Builder earlyStopping(int patience, double minDelta) {
            if (patience < 1 || !(minDelta >= 0)) {
                throw new IllegalArgumentException("Trainer: patience must be >= 1 and minDelta >= 0, got " + patience
                        + " and " + minDelta);
            }
            this.patience = patience;
            this.minDelta = minDelta;
            return this;
        }

        /**
         * Writes a checkpoint to {@code file} after every epoch and, when {@code everySteps > 0},
         * every {@code everySteps} optimizer steps.
         */
        public Builder checkpoint(Path file, int everySteps) {
            if (everySteps < 0) {
                throw new IllegalArgumentException("Trainer: everySteps must be >= 0, got " + everySteps);
            }
            this.checkpoint = Objects.requireNonNull(file, "Trainer: checkpoint file is null");
            this.checkpointEvery = everySteps;
            return this;
        }

        /**
         * Stops after this many optimizer steps in total (counting those before a resume), with a
         * checkpoint at that point when checkpoints are on; the unfinished epoch gets no metrics.
         */
        public Builder maxSteps(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("Trainer: maxSteps must be >= 1, got " + n);
            }
            this.maxSteps = n;
            return this;
        }

        /** Generators whose states the checkpoints save and restore (dropout masks, say). */
        public Builder generators(Generator... gens) {
            for (Generator g : gens) {
                generators.add(Objects.requireNonNull(g, "Trainer: generator is null"));
            }
            return this;
        }

        /**
         * Where progress goes, and whether to redraw one line (a terminal) or print log lines;
         * the default is {@code System.out}, live when it is a terminal.
         */
        public Builder progress(PrintStream stream, boolean redraw) {
            this.out = Objects.requireNonNull(stream, "Trainer: progress stream is null");
            this.live = redraw;
            return this;
        }

        /**
         * Writes {@code metrics.csv} and, with XChart present, loss, accuracy and lr PNGs into
         * {@code dir} after every epoch. Without XChart only the CSV is written, and the progress
         * stream says once how to get the charts.
         */
        public Builder curves(Path dir) {
            this.curves = Objects.requireNonNull(dir, "Trainer: curves directory is null");
            return this;
        }

        /** @return the trainer */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
