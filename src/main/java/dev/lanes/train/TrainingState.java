package dev.lanes.train;

import dev.lanes.io.SafeTensors;
import dev.lanes.io.SafeTensorsFile;
import dev.lanes.optim.Optimizer;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint of {@link Trainer}: one safetensors file holding the model's state dict (keys
 * {@code model.*}), the optimizer's ({@code optimizer.*}) and, in the metadata, where training
 * stands: the next epoch and batch, the loader seed, the number of schedule steps taken, the
 * states of the registered generators, the running sums of the current epoch, the early-stopping
 * counters and the finished epochs' metrics. Doubles are stored as {@link Double#toString}, which
 * reads back exactly. Written atomically by {@link SafeTensors#write}.
 */
record TrainingState(int epoch, int batch, long step, long loaderSeed, int scheduleSteps, long[] generators,
                     double lossSum, long correct, long seen, double best, int badEpochs,
                     List<EpochMetrics> history) {

    static final String FORMAT = "lanes-trainer-checkpoint-1";
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";

    /** Writes the checkpoint, with the optimizer's name and hyperparameters in the metadata. */
    void save(Path file, Map<String, Tensor> modelState, Map<String, Tensor> optimizerState, Optimizer optimizer)
            throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        modelState.forEach((k, v) -> tensors.put(MODEL + k, v));
        optimizerState.forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("optimizer", optimizer.name());
        meta.put("optimizer_hyperparameters", hyperparameters(optimizer));
        meta.put("epoch", Integer.toString(epoch));
        meta.put("batch", Integer.toString(batch));
        meta.put("step", Long.toString(step));
        meta.put("loader_seed", Long.toString(loaderSeed));
        meta.put("schedule_steps", Integer.toString(scheduleSteps));
        meta.put("generators", join(Arrays.stream(generators).mapToObj(Long::toString).toList()));
        meta.put("loss_sum", Double.toString(lossSum));
        meta.put("correct", Long.toString(correct));
        meta.put("seen", Long.toString(seen));
        meta.put("best", Double.toString(best));
        meta.put("bad_epochs", Integer.toString(badEpochs));
        List<String> rows = new ArrayList<>();
        for (EpochMetrics m : history) {
            rows.add(join(Arrays.stream(m.row()).mapToObj(Double::toString).toList()));
        }
        meta.put("history", String.join(";", rows));
        SafeTensors.write(file, tensors, meta);
    }

    /** @return the optimizer's hyperparameters as {@code name=value,...}, values exact */
    static String hyperparameters(Optimizer optimizer) {
        List<String> parts = new ArrayList<>();
        optimizer.hyperparameters().forEach((k, v) -> parts.add(k + "=" + v));
        return join(parts);
    }

    private static String join(List<String> parts) {
        return String.join(",", parts);
    }

    /**
     * Reads a checkpoint; the model and optimizer parts are returned separately for the caller to
     * check and load (after it has replayed its schedule). Every metadata field must be present
     * and parse; ranges are the caller's to check, against its own run.
     *
     * @throws CheckpointException naming the field that is missing or does not parse
     */
    private static Loaded read(Path file) throws IOException {
        SafeTensorsFile f = SafeTensors.readFile(file);
        Map<String, String> meta = f.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new CheckpointException(file, "format", "not a trainer checkpoint (metadata format is "
                    + meta.get("format") + ", expected " + FORMAT + ")");
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : f.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(MODEL)) {
                model.put(k.substring(MODEL.length()), e.getValue());
            } else if (k.startsWith(OPTIMIZER)) {
                optimizer.put(k.substring(OPTIMIZER.length()), e.getValue());
            } else {
                throw new CheckpointException(file, k, "a tensor that is neither model.* nor optimizer.*");
            }
        }
        Fields m = new Fields(file, meta);
        long[] generators = m.list("generators").stream().mapToLong(v -> m.parseLong("generators", v)).toArray();
        List<EpochMetrics> history = new ArrayList<>();
        String h = m.text("history");
        if (!h.isEmpty()) {
            for (String row : h.split(";", -1)) {
                double[] values = m.list("history", row).stream().mapToDouble(v -> m.parseDouble("history", v))
                        .toArray();
                if (values.length != EpochMetrics.COLUMNS.size()) {
                    throw new CheckpointException(file, "history", "a row of " + values.length + " values, expected "
                            + EpochMetrics.COLUMNS.size());
                }
                history.add(EpochMetrics.of(values));
            }
        }
        TrainingState s = new TrainingState(m.integer("epoch"), m.integer("batch"), m.parseLong("step", m.text("step")),
                m.parseLong("loader_seed", m.text("loader_seed")), m.integer("schedule_steps"), generators,
                m.parseDouble("loss_sum", m.text("loss_sum")), m.parseLong("correct", m.text("correct")),
                m.parseLong("seen", m.text("seen")), m.parseDouble("best", m.text("best")), m.integer("bad_epochs"),
                history);
        return new Loaded(s, model, optimizer, m.text("optimizer"), m.text("optimizer_hyperparameters"));
    }

    /** Metadata fields, each failure named; unchecked inside lambdas, checked at the boundary. */
    private static final class Fields {
        private final Path file;
        private final Map<String, String> meta;

        Fields(Path file, Map<String, String> meta) {
            this.file = file;
            this.meta = meta;
        }

        String text(String key) throws CheckpointException {
            String v = meta.get(key);
            if (v == null) {
                throw new CheckpointException(file, key, "missing");
            }
            return v;
        }

        List<String> list(String key) throws CheckpointException {
            return list(key, text(key));
        }

        List<String> list(String key, String value) {
            return value.isEmpty() ? List.of() : List.of(value.split(",", -1));
        }

        int integer(String key) throws CheckpointException {
            long v = parseLong(key, text(key));
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new UncheckedCheckpoint(new CheckpointException(file, key, v + " is out of range"));
            }
            return (int) v;
        }

        long parseLong(String key, String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new UncheckedCheckpoint(new CheckpointException(file, key, "'" + value + "' is not an integer"));
            }
        }

        double parseDouble(String key, String value) {
            try {
                return Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                throw new UncheckedCheckpoint(new CheckpointException(file, key, "'" + value + "' is not a number"));
            }
        }
    }

    /** Carries a {@link CheckpointException} out of a lambda; unwrapped by {@link #readChecked}. */
    private static final class UncheckedCheckpoint extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedCheckpoint(CheckpointException cause) {
            super(cause);
        }
    }

    /** {@link #read}, with a field that fails to parse inside a stream reported as its {@link CheckpointException}. */
    static Loaded readChecked(Path file) throws IOException {
        try {
            return read(file);
        } catch (UncheckedCheckpoint e) {
            throw (CheckpointException) e.getCause();
        }
    }

    /**
     * A read checkpoint.
     *
     * @param optimizerName            the name of the optimizer that wrote it
     * @param optimizerHyperparameters its hyperparameters, as {@link #hyperparameters} writes them
     */
    record Loaded(TrainingState state, Map<String, Tensor> model, Map<String, Tensor> optimizer, String optimizerName,
                  String optimizerHyperparameters) {
    }
}
