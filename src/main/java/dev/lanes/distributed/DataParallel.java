package dev.lanes.distributed;

import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Dropout;
import dev.lanes.nn.GRU;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.Layer;
import dev.lanes.nn.RNN;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Graph;
import dev.lanes.tensor.internal.RunningStatistics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Deterministic data-parallel gradients: each global batch is cut into a fixed number of
 * logical shards ({@link ShardLayout}), each rank computes the gradients of the shards it
 * holds, one micro-batch at a time, and the collective sums them in shard order. Every rank
 * then holds, in each parameter's {@code grad()}, the bits of the single-process run that
 * accumulates the shards' gradients in order ({@code backward()} shard after shard) and scales
 * the sum by {@code 1 / shards}: the result does not depend on how many ranks computed it.
 *
 * <pre>{@code
 * DataParallel dp = new DataParallel(collective, model, 8);
 * for (...) {
 *     double loss = dp.step(shard -> Losses.crossEntropy(model.forward(images[shard]), labels[shard]));
 *     optimizer.step();                   // the same update on every rank
 * }
 * }</pre>
 *
 * <p>Batch norm normalises each shard with the shard's own statistics (as PyTorch's DDP does),
 * and its running statistics end each step as the single process leaves them: each rank logs
 * its shards' batch statistics instead of applying them, and the logs are applied rank after
 * rank, in shard order ({@link Collective#foldInRankOrder}); {@code num_batches_tracked} grows
 * by the number of shards.
 *
 * <p>Dropout draws each shard's masks from a stream of its own: before shard {@code k}'s forward
 * pass every dropout generator is restored to a state derived from its state at the step's start
 * and {@code k}, and after the step it continues from a state derived from the step's start and
 * the shard count. So the masks depend on the step and the shard, not on where the shard runs.
 * The generators of {@code Dropout} layers and of the recurrent layers' dropout are found in
 * the model; pass the ones your own forward passes draw from to the constructor.
 *
 * <p>The replicas must start equal (load the same state dict, or {@link Collective#broadcast}
 * the parameters) and use the same optimizer; then they stay equal. Buffers other than batch
 * norm's are refused, F32 parameters only. Parameters no shard reached keep no gradient, as in
 * the single-process run. The gradient tensors are reused from step to step.
 */
public final class DataParallel {

    private final Collective collective;
    private final List<Tensor> params;
    private final ShardLayout layout;
    private final int first;
    private final float[][] values;
    private final boolean[][] present;
    private final float[] sum;
    private final boolean[] sumPresent;
    private final Tensor[] grads;
    private final List<BatchNorm2d> norms = new ArrayList<>();
    private final float[] statistics;
    private final List<Generator> generators = new ArrayList<>();

    /**
     * @param collective the ranks of the run
     * @param model      this rank's replica
     * @param shards     logical shards per global batch, at least the number of ranks
     * @throws IllegalArgumentException when the model has buffers other than batch norm's or
     *                                  non-F32 parameters, or there are fewer shards than ranks
     */
    public DataParallel(Collective collective, Layer model, int shards) {
        this(collective, model, shards, new Generator[0]);
    }

    /**
     * @param generators generators the model's own forward pass draws from (beyond the
     *                   {@code Dropout} layers' and the recurrent layers', which are found)
     * @see #DataParallel(Collective, Layer, int)
     */
    public DataParallel(Collective collective, Layer model, int shards, Generator... generators) {
        this.collective = Objects.requireNonNull(collective, "collective");
        Map<String, Tensor> named = model.namedParameters();
        Set<String> understood = new HashSet<>(named.keySet());
        collectNorms(model, "", understood);
        collectGenerators(model);
        for (Generator g : generators) {
            addGenerator(Objects.requireNonNull(g, "generator"));
        }
        List<String> others = model.stateDict().keySet().stream().filter(k -> !understood.contains(k)).toList();
        if (!others.isEmpty()) {
            throw new IllegalArgumentException("DataParallel: the model has buffers " + others + " that are not batch"
                    + " norm's; combining their updates across ranks is not supported");
        }
        int stats = 0;
        for (BatchNorm2d bn : norms) {
            stats += 2 * bn.runningMean().tensor().numel();
        }
        this.statistics = new float[stats];
        this.params = model.parameters();
        int[] segments = new int[params.size() + 1];
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.dtype() != DType.F32) {
                throw new IllegalArgumentException("DataParallel: parameter " + i + " is " + p.dtype()
                        + "; only F32 parameters are supported");
            }
            segments[i] = p.numel();
        }
        segments[params.size()] = 1; // the shard's loss
        this.layout = new ShardLayout(shards, segments);
        layout.checkRanks(collective.size());
        this.first = layout.firstShard(collective.rank(), collective.size());
        int own = layout.firstShard(collective.rank() + 1, collective.size()) - first;
        this.values = new float[own][layout.length()];
        this.present = new boolean[own][layout.segments()];
        this.sum = new float[layout.length()];
        this.sumPresent = new boolean[layout.segments()];
        this.grads = new Tensor[params.size()];
    }

    /** Finds the batch norm layers that keep running statistics; their buffers' names go to {@code names}. */
    private void collectNorms(Layer layer, String prefix, Set<String> names) {
        if (layer instanceof BatchNorm2d bn && bn.runningMean() != null) {
            if (bn.runningMean().tensor().dtype() != DType.F32) {
                throw new IllegalArgumentException("DataParallel: batch norm " + prefix + " is "
                        + bn.runningMean().tensor().dtype() + "; only F32 is supported");
            }
            norms.add(bn);
            names.add(prefix + "running_mean");
            names.add(prefix + "running_var");
            names.add(prefix + "num_batches_tracked");
        }
        layer.children().forEach((name, child) -> collectNorms(child, prefix + name + ".", names));
    }

    private void collectGenerators(Layer layer) {
        if (layer instanceof Dropout d && d.p() > 0) {
            addGenerator(d.generator());
        }
        Generator recurrent = switch (layer) {
            case LSTM l -> l.options().dropout() > 0 ? l.dropoutGenerator() : null;
            case GRU g -> g.options().dropout() > 0 ? g.dropoutGenerator() : null;
            case RNN r -> r.options().dropout() > 0 ? r.dropoutGenerator() : null;
            default -> null;
        };
        if (recurrent != null) {
            addGenerator(recurrent);
        }
        layer.children().values().forEach(this::collectGenerators);
    }

    private void addGenerator(Generator g) {
        for (Generator known : generators) {
            if (known == g) {
                return;
            }
        }
        generators.add(g);
    }

    /** @return the generators whose streams this run splits by shard, in the order checkpoints keep them */
    public List<Generator> generators() {
        return List.copyOf(generators);
    }

    /** @return the state of shard {@code k}'s stream of a generator that was at {@code start} */
    private static long stream(long start, int k) {
        long z = start + (k + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** @return the shards of each global batch */
    public int shards() {
        return layout.shards();
    }

    /** @return the first shard this rank computes */
    public int firstShard() {
        return first;
    }

    /** @return how many shards this rank computes */
    public int ownShards() {
        return values.length;
    }

    /**
     * Computes this rank's shards' gradients and combines every rank's: afterwards each
     * parameter's {@code grad()} holds the mean over all shards (the shard-ordered sum times
     * {@code 1 / shards}, in float), on every rank.
     *
     * @param shardLoss the loss of shard {@code k} of the global batch, a one-element F32
     *                  tensor on the graph (called for this rank's shards, in order)
     * @return the mean of all shards' losses (their shard-ordered sum times {@code 1 / shards})
     * @throws CollectiveException when a rank fails
     */
    public double step(IntFunction<Tensor> shardLoss) {
        int p = params.size();
        long[] tracked = new long[norms.size()];
        for (int i = 0; i < tracked.length; i++) {
            tracked[i] = norms.get(i).numBatchesTracked();
        }
        long[] starts = new long[generators.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = generators.get(i).state();
        }
        List<RunningStatistics.Update> updates;
        RunningStatistics.startRecording();
        try {
            shardGradients(shardLoss, starts);
        } finally {
            updates = RunningStatistics.stopRecording();
            for (int i = 0; i < starts.length; i++) {
                generators.get(i).restore(stream(starts[i], layout.shards()));
            }
        }
        collective.sumShards(layout, values, present, sum, sumPresent);
        if (!norms.isEmpty()) {
            // The running statistics are still those of the step's start, the same on every rank.
            copyStatistics(true);
            collective.foldInRankOrder(statistics, state -> {
                copyStatistics(false);
                updates.forEach(RunningStatistics.Update::apply);
                copyStatistics(true);
            });
            copyStatistics(false);
            for (int i = 0; i < tracked.length; i++) {
                norms.get(i).setNumBatchesTracked(tracked[i] + layout.shards());
            }
        }
        float scale = (float) (1.0 / layout.shards());
        for (int i = 0; i < p; i++) {
            Tensor param = params.get(i);
            param.zeroGrad();
            if (!sumPresent[i]) {
                continue;
            }
            if (grads[i] == null) {
                grads[i] = Tensor.zeros(DType.F32, param.shape());
            }
            float[] g = grads[i].f32();
            for (int j = 0, at = layout.start(i); j < g.length; j++) {
                g[j] = sum[at + j] * scale;
            }
            Graph.assignGrad(param, grads[i]);
        }
        return sum[layout.start(p)] * scale;
    }

    /** Between the layers' running statistics and {@link #statistics}: {@code out} copies them there. */
    private void copyStatistics(boolean out) {
        int at = 0;
        for (BatchNorm2d bn : norms) {
            for (Tensor t : new Tensor[] {bn.runningMean().tensor(), bn.runningVar().tensor()}) {
                float[] f = t.f32();
                if (out) {
                    System.arraycopy(f, 0, statistics, at, f.length);
                } else {
                    System.arraycopy(statistics, at, f, 0, f.length);
                }
                at += f.length;
            }
        }
    }

    /** This rank's shards, one at a time: forward, backward, and the gradients into {@link #values}. */
    private void shardGradients(IntFunction<Tensor> shardLoss, long[] starts) {
        int p = params.size();
        for (int s = 0; s < values.length; s++) {
            for (int i = 0; i < starts.length; i++) {
                generators.get(i).restore(stream(starts[i], first + s));
            }
            for (Tensor t : params) {
                t.zeroGrad();
            }
            Tensor loss = shardLoss.apply(first + s);
            if (loss.numel() != 1 || loss.dtype() != DType.F32) {
                throw new IllegalArgumentException("DataParallel: the loss of shard " + (first + s)
                        + " must be one F32 value, got " + loss.dtype() + " " + loss.shape());
            }
            loss.backward();
            for (int i = 0; i < p; i++) {
                Tensor g = params.get(i).grad();
                present[s][i] = g != null;
                if (g != null) {
                    System.arraycopy(g.f32(), 0, values[s], layout.start(i), g.numel());
                }
            }
            values[s][layout.start(p)] = (float) loss.item();
            present[s][p] = true;
        }
    }
}
