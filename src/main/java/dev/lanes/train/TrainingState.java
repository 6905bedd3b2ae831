package dev.lanes.train;

import dev.lanes.io.SafeTensors;
import dev.lanes.io.SafeTensorsFile;
import dev.lanes.nn.Layer;
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

    void save(Path file, Layer model, Optimizer optimizer) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        optimizer.stateDict().forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
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

    private static String join(List<String> parts) {
        return String.join(",", parts);
    }

    /**
     * Reads a checkpoint; the model and optimizer parts are returned separately for the caller to
     * load (after it has replayed its schedule).
     */
    static Loaded read(Path file) throws IOException {
        SafeTensorsFile f = SafeTensors.readFile(file);
        Map<String, String> meta = f.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(file + ": not a trainer checkpoint (metadata format is " + meta.get("format")
                    + ", expected " + FORMAT + ")");
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        f.tensors().forEach((k, v) -> {
            if (k.startsWith(MODEL)) {
                model.put(k.substring(MODEL.length()), v);
            } else if (k.startsWith(OPTIMIZER)) {
                optimizer.put(k.substring(OPTIMIZER.length()), v);
            }
        });
        try {
            String gens = meta.get("generators");
            long[] generators = gens.isEmpty() ? new long[0]
                    : Arrays.stream(gens.split(",")).mapToLong(Long::parseLong).toArray();
            List<EpochMetrics> history = new ArrayList<>();
            String h = meta.get("history");
            if (!h.isEmpty()) {
                for (String row : h.split(";")) {
                    history.add(EpochMetrics.of(Arrays.stream(row.split(",")).mapToDouble(Double::parseDouble)
                            .toArray()));
                }
            }
            TrainingState s = new TrainingState(Integer.parseInt(meta.get("epoch")),
                    Integer.parseInt(meta.get("batch")), Long.parseLong(meta.get("step")),
                    Long.parseLong(meta.get("loader_seed")), Integer.parseInt(meta.get("schedule_steps")), generators,
                    Double.parseDouble(meta.get("loss_sum")), Long.parseLong(meta.get("correct")),
                    Long.parseLong(meta.get("seen")), Double.parseDouble(meta.get("best")),
                    Integer.parseInt(meta.get("bad_epochs")), history);
            return new Loaded(s, model, optimizer);
        } catch (RuntimeException e) {
            throw new IOException(file + ": damaged trainer checkpoint metadata (" + e + ")", e);
        }
    }

    /** A read checkpoint. */
    record Loaded(TrainingState state, Map<String, Tensor> model, Map<String, Tensor> optimizer) {
    }
}
