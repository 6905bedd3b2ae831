package dev.lanes.train;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.StepMemory;
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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a classifier over a {@link DataLoader}: per batch {@code zeroGrad}, forward, loss,
 * backward, optional gradient-norm clipping and an optimizer step; per epoch the schedule's step,
 * an evaluation on the test loader, metrics, early stopping and a checkpoint. Each batch runs in
 * a {@link StepMemory} step, so a steady-state training step reuses the storage of the last.
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
 *
 * <p>Training never loses work: a checkpoint is written only when every weight and optimizer
 * state is finite; the last {@link Builder#keepCheckpoints N} checkpoints and the best one (by
 * the monitored loss) are kept; a non-finite loss stops the run with a
 * {@link TrainingDivergedException} naming the step, before it reaches the weights; leftover
 * temporary files of an interrupted save are removed when training starts. {@link #resume}
 * checks the whole checkpoint against this trainer before it changes anything.
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
    // The storage of the steps of the current fit(), reused from batch to batch.
    private StepMemory memory;
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
    private final int keepCheckpoints;
    private final boolean keepBest;
    private final boolean restoreBestWeights;
    private final boolean stopOnNonFinite;
    private boolean chartAdviceGiven;
    private boolean tempFilesCleaned;
    /** The step of the checkpoint now at {@link #checkpoint}, or -1 when unknown. */
    private long savedStep = -1;
    /** Copies of the model's state when the monitored loss was best (with restoreBestWeights). */
    private Map<String, Tensor> bestWeights;
    private int bestEpoch;

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
        this.keepCheckpoints = b.keepCheckpoints;
        this.keepBest = b.keepBest;
        this.restoreBestWeights = b.restoreBestWeights;
        this.stopOnNonFinite = b.stopOnNonFinite;
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
     * continues where the checkpoint was taken, bit for bit. The schedule is replayed to its saved
     * number of steps, then the optimizer's state (with its learning rate) is loaded.
     *
     * <p>All or nothing: the whole checkpoint is checked first, and nothing in the trainer, the
     * model, the optimizer, the schedule or the generators changes unless every check passes.
     * It must be a trainer checkpoint for this loader (seed, batches per epoch) and at most this
     * trainer's epochs; every metadata field must be in range and consistent; the model's
     * tensors must match the model's names and shapes and be finite; the optimizer must be of the
     * same kind with the same hyperparameters, and its state complete, well shaped and finite
     * (see {@link Optimizer#checkStateDict}).
     *
     * @throws CheckpointException   naming the field at fault
     * @throws IOException           when the file cannot be read
     * @throws IllegalStateException when this trainer has already trained or resumed
     */
    public void resume(Path file) throws IOException {
        resume(file, false);
    }

    /**
     * {@link #resume(Path)}, optionally starting the optimizer afresh: with
     * {@code freshOptimizer} the checkpoint's optimizer part is ignored (its kind, hyperparameters
     * and state), so that training continues with this trainer's optimizer as configured, from
     * zero state at the checkpoint's learning rate schedule position.
     */
    public void resume(Path file, boolean freshOptimizer) throws IOException {
        if (step != 0 || epoch != 0 || batch != 0 || scheduleSteps != 0 || !history.isEmpty()) {
            throw new IllegalStateException("Trainer.resume: this trainer has already trained or resumed; build a new"
                    + " one (model, optimizer, loaders and schedule as for the original run) and resume that");
        }
        TrainingState.Loaded c = TrainingState.readChecked(file);
        TrainingState s = c.state();
        checkState(file, s);
        checkModel(file, c.model());
        if (!freshOptimizer) {
            checkOptimizer(file, c, s.step());
        }
        // Everything checked: apply.
        model.loadStateDict(c.model());
        for (int i = 0; i < s.scheduleSteps(); i++) {
            schedule.step();
        }
        if (!freshOptimizer) {
            optimizer.loadStateDict(c.optimizer());
        }
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
        if (checkpoint != null && Files.exists(checkpoint) && Files.isSameFile(file, checkpoint)) {
            savedStep = s.step();
        }
    }

    /** The metadata against this run: the same loader, in range, consistent with itself. */
    private void checkState(Path file, TrainingState s) throws CheckpointException {
        int perEpoch = train.batchesPerEpoch();
        if (s.loaderSeed() != train.seed()) {
            throw new CheckpointException(file, "loader_seed", "written for a training loader with seed "
                    + s.loaderSeed() + ", this one has seed " + train.seed());
        }
        if (s.epoch() < 0 || s.epoch() > epochs) {
            throw new CheckpointException(file, "epoch", s.epoch() + " is outside [0, " + epochs + "], the epochs of"
                    + " this trainer");
        }
        // batch == perEpoch: saved after an epoch's last step, before its end (evaluation, metrics).
        if (s.batch() < 0 || s.batch() > perEpoch || (s.epoch() == epochs && s.batch() != 0)) {
            throw new CheckpointException(file, "batch", s.batch() + " is outside [0, " + perEpoch
                    + "], the batches of an epoch of this loader");
        }
        long expected = (long) s.epoch() * perEpoch + s.batch();
        if (s.step() != expected) {
            throw new CheckpointException(file, "step", s.step() + " does not match epoch " + s.epoch() + ", batch "
                    + s.batch() + " of a loader with " + perEpoch + " batches per epoch (" + expected
                    + " expected): another batch size or data set?");
        }
        long scheduleExpected = schedule == null ? 0 : schedulePerStep ? s.step() : s.epoch();
        if (s.scheduleSteps() != scheduleExpected) {
            throw new CheckpointException(file, "schedule_steps", s.scheduleSteps() + ", but this trainer's "
                    + (schedule == null ? "lack of a schedule" : schedulePerStep ? "per-step schedule"
                    : "per-epoch schedule") + " means " + scheduleExpected);
        }
        if (s.generators().length != generators.size()) {
            throw new CheckpointException(file, "generators", "holds " + s.generators().length
                    + " generator states, this trainer has " + generators.size());
        }
        if (s.batch() == 0 ? s.seen() != 0 || s.correct() != 0 || s.lossSum() != 0
                : s.seen() < s.batch() || s.correct() < 0 || s.correct() > s.seen()) {
            throw new CheckpointException(file, "seen", "seen " + s.seen() + ", correct " + s.correct() + " and loss_sum "
                    + s.lossSum() + " are not the running sums of " + s.batch() + " batches");
        }
        if (!Double.isFinite(s.lossSum())) {
            throw new CheckpointException(file, "loss_sum", s.lossSum() + " is not finite");
        }
        if (Double.isNaN(s.best()) || s.best() == Double.NEGATIVE_INFINITY
                || (s.epoch() == 0) != (s.best() == Double.POSITIVE_INFINITY)) {
            throw new CheckpointException(file, "best", s.best() + " is not the best loss of " + s.epoch() + " epochs");
        }
        if (s.badEpochs() < 0 || s.badEpochs() > s.epoch()) {
            throw new CheckpointException(file, "bad_epochs", s.badEpochs() + " is outside [0, " + s.epoch() + "]");
        }
        if (s.history().size() != s.epoch()) {
            throw new CheckpointException(file, "history", "holds " + s.history().size() + " epochs, expected "
                    + s.epoch());
        }
        for (int i = 0; i < s.history().size(); i++) {
            EpochMetrics m = s.history().get(i);
            if (m.epoch() != i + 1 || !Double.isFinite(m.trainLoss()) || !(m.lr() >= 0) || Double.isInfinite(m.lr())
                    || !(m.seconds() >= 0)) {
                throw new CheckpointException(file, "history", "row " + (i + 1) + " is not a finished epoch's metrics: "
                        + m);
            }
        }
    }

    /** The model part against the model: the same names and shapes, every value finite. */
    private void checkModel(Path file, Map<String, Tensor> saved) throws CheckpointException {
        Map<String, Tensor> mine = model.stateDict();
        for (String k : mine.keySet()) {
            if (!saved.containsKey(k)) {
                throw new CheckpointException(file, "model." + k, "missing");
            }
        }
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            Tensor own = mine.get(e.getKey());
            if (own == null) {
                throw new CheckpointException(file, "model." + e.getKey(), "not a tensor of this model");
            }
            if (!own.shape().equals(e.getValue().shape())) {
                throw new CheckpointException(file, "model." + e.getKey(), "shape " + e.getValue().shape()
                        + ", the model's is " + own.shape());
            }
            int bad = firstNonFinite(e.getValue());
            if (bad >= 0) {
                throw new CheckpointException(file, "model." + e.getKey(), "element " + bad + " is "
                        + e.getValue().getFlat(bad));
            }
        }
    }

    /** The optimizer part: the same kind and hyperparameters, a complete and valid state. */
    private void checkOptimizer(Path file, TrainingState.Loaded c, long trainerStep) throws CheckpointException {
        if (!c.optimizerName().equals(optimizer.name())) {
            throw new CheckpointException(file, "optimizer", "written by " + c.optimizerName() + ", this trainer uses "
                    + optimizer.name() + " (resume(file, true) starts the optimizer afresh)");
        }
        String mine = TrainingState.hyperparameters(optimizer);
        if (!c.optimizerHyperparameters().equals(mine)) {
            throw new CheckpointException(file, "optimizer_hyperparameters", "written with "
                    + c.optimizerHyperparameters() + ", this trainer's optimizer has " + mine
                    + " (resume(file, true) starts the optimizer afresh)");
        }
        try {
            optimizer.checkStateDict(c.optimizer());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "optimizer", e.getMessage());
        }
        for (Map.Entry<String, Tensor> e : c.optimizer().entrySet()) {
            if (e.getKey().endsWith(".step") && e.getValue().getFlat(0) > trainerStep) {
                throw new CheckpointException(file, "optimizer." + e.getKey(), (long) e.getValue().getFlat(0)
                        + " steps, more than the trainer's " + trainerStep);
            }
        }
    }

    /** @return the index of the first NaN or infinite element, or -1 */
    private static int firstNonFinite(Tensor t) {
        for (int j = 0; j < t.numel(); j++) {
            if (!Double.isFinite(t.getFlat(j))) {
                return j;
            }
        }
        return -1;
    }

    /**
     * Trains until the last epoch, early stopping or the step limit.
     *
     * @return the metrics of every finished epoch
     * @throws IOException when a checkpoint or the curves cannot be written
     */
    public List<EpochMetrics> fit() throws IOException {
        cleanTempFiles();
        memory = new StepMemory();
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
                double value;
                long right;
                try (StepMemory.Step s = memory.step()) {
                    optimizer.zeroGrad();
                    Tensor output = model.forward(b.images());
                    Tensor l = loss.apply(output, b.labels());
                    value = l.item();
                    if (stopOnNonFinite && !Double.isFinite(value)) {
                        throw diverged("the loss is " + value + " at step " + (step + 1) + " (epoch " + (epoch + 1)
                                + ", batch " + (batch + 1) + "); the weights are those before that step");
                    }
                    l.backward();
                    if (clipNorm > 0) {
                        GradClip.clipGradNorm(optimizer.params(), clipNorm, 2);
                    }
                    optimizer.step();
                    right = Metrics.correct(output, b.labels());
                }
                if (schedule != null && schedulePerStep) {
                    schedule.step();
                    scheduleSteps++;
                }
                step++;
                batch++;
                lossSum += value * b.size();
                correct += right;
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
        boolean improved = monitored < best - minDelta;
        if (improved) {
            best = monitored;
            badEpochs = 0;
            bestEpoch = epoch + 1;
            if (restoreBestWeights) {
                bestWeights = copies(model.stateDict());
            }
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
            if (improved && keepBest) {
                keepAsBest();
            }
        }
        boolean stop = patience > 0 && badEpochs >= patience;
        if (stop) {
            out.println(String.format(Locale.ROOT, "early stopping: no improvement of the %s loss by more than %g"
                    + " for %d epochs (best %.4f)", test == null ? "training" : "test", minDelta, patience, best));
            if (restoreBestWeights) {
                restoreBest();
            }
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
                try (StepMemory.Step s = memory.step()) {
                    Tensor output = model.forward(b.images());
                    sum += loss.apply(output, b.labels()).item() * b.size();
                    right += Metrics.correct(output, b.labels());
                }
                n += b.size();
            }
        } finally {
            model.train();
        }
        return new double[] {sum / n, (double) right / n};
    }

    /**
     * Writes a checkpoint, unless a weight or optimizer state is non-finite: then the previous
     * checkpoints stay as they are and the run stops (or, with the guard off, goes on unsaved).
     * With {@code keepCheckpoints > 1} the checkpoint being replaced stays, under its step's name.
     */
    private void save() throws IOException {
        // One copy of the optimizer's state serves the check and the file.
        Map<String, Tensor> modelState = model.stateDict();
        Map<String, Tensor> optimizerState = optimizer.stateDict();
        String bad = firstNonFinite("model.", modelState);
        bad = bad != null ? bad : firstNonFinite("optimizer.", optimizerState);
        if (bad != null) {
            String what = bad + " is not finite at step " + step + ", so no checkpoint was written"
                    + (savedStep >= 0 ? "; " + checkpoint + " still holds step " + savedStep : "");
            if (stopOnNonFinite) {
                throw diverged(what);
            }
            out.println("warning: " + what);
            return;
        }
        long[] states = new long[generators.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = generators.get(i).state();
        }
        Path parent = checkpoint.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (keepCheckpoints > 1 && savedStep >= 0 && savedStep != step && Files.exists(checkpoint)) {
            link(checkpoint, CheckpointFiles.numbered(checkpoint, savedStep));
        }
        new TrainingState(epoch, batch, step, train.seed(), scheduleSteps, states, lossSum, correct, seen, best,
                badEpochs, history).save(checkpoint, modelState, optimizerState, optimizer);
        savedStep = step;
        if (keepCheckpoints > 1) {
            CheckpointFiles.pruneNumbered(checkpoint, keepCheckpoints - 1);
        }
    }

    /** Makes the checkpoint just written also the best one: a hard link where possible, else a copy. */
    private void keepAsBest() throws IOException {
        link(checkpoint, CheckpointFiles.best(checkpoint));
    }

    /** Puts {@code target} in place, atomically, holding what {@code source} holds now. */
    private static void link(Path source, Path target) throws IOException {
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            return; // already there (a save interrupted after this step); renaming a link onto itself does nothing
        }
        Path tmp = CheckpointFiles.temp(target);
        Files.deleteIfExists(tmp);
        try {
            Files.createLink(tmp, source);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(source, tmp);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return the prefixed name of the first tensor with a NaN or infinity, or null */
    private static String firstNonFinite(String prefix, Map<String, Tensor> state) {
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            if (!e.getValue().allFinite()) {
                return prefix + e.getKey();
            }
        }
        return null;
    }

    private TrainingDivergedException diverged(String what) {
        return new TrainingDivergedException(step, "training diverged: " + what
                + (savedStep >= 0 ? "; the last good checkpoint is " + checkpoint + " (step " + savedStep + ")" : ""));
    }

    /** Removes the temporary files an interrupted save of this trainer's checkpoints left behind. */
    private void cleanTempFiles() throws IOException {
        if (tempFilesCleaned || checkpoint == null) {
            return;
        }
        tempFilesCleaned = true;
        CheckpointFiles.deleteTemps(checkpoint);
    }

    private void restoreBest() throws IOException {
        Map<String, Tensor> weights = bestWeights;
        if (weights == null && checkpoint != null && Files.exists(CheckpointFiles.best(checkpoint))) {
            weights = TrainingState.readChecked(CheckpointFiles.best(checkpoint)).model();
        }
        if (weights == null) {
            out.println("early stopping: the best weights are not known (resumed without a best checkpoint); keeping"
                    + " the last ones");
            return;
        }
        model.loadStateDict(weights);
        out.println(String.format(Locale.ROOT, "restored the weights of the best epoch%s (%s loss %.4f)",
                bestEpoch > 0 ? " " + bestEpoch : "", test == null ? "training" : "test", best));
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.copy()));
        return out;
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
        private int keepCheckpoints = 1;
        private boolean keepBest = true;
        private boolean restoreBestWeights;
        private boolean stopOnNonFinite = true;

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
         * Keeps the last {@code n} checkpoints (default 1): the newest at the checkpoint's path,
         * the older ones beside it as {@code <name>.step-<step>.safetensors}, the oldest removed.
         */
        public Builder keepCheckpoints(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("Trainer: keepCheckpoints must be >= 1, got " + n);
            }
            this.keepCheckpoints = n;
            return this;
        }

        /**
         * Whether to keep the checkpoint of the epoch with the best monitored loss as
         * {@code <name>.best.safetensors} (default true; a resumable checkpoint like the others).
         */
        public Builder keepBest(boolean on) {
            this.keepBest = on;
            return this;
        }

        /**
         * When early stopping ends the run, puts back the weights of the epoch with the best
         * monitored loss (as Keras' {@code restore_best_weights}); default false. The weights are
         * kept in memory, or read from the best checkpoint after a resume.
         */
        public Builder restoreBestWeights(boolean on) {
            this.restoreBestWeights = on;
            return this;
        }

        /**
         * The divergence guard (default on): a non-finite loss stops the run before its backward
         * pass with a {@link TrainingDivergedException} naming the step, as do non-finite weights
         * at a checkpoint. Off, training goes on; a checkpoint is still never written with
         * non-finite values (it is skipped, with a warning).
         */
        public Builder stopOnNonFinite(boolean on) {
            this.stopOnNonFinite = on;
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
