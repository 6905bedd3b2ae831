package dev.lanes.distributed;

import dev.lanes.nn.Layer;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Graph;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * <p>The replicas must start equal (load the same state dict, or {@link Collective#broadcast}
 * the parameters) and use the same optimizer; then they stay equal. Models with buffers
 * (batch norm's running statistics) are refused: their per-shard updates are not combined
 * across ranks yet. F32 parameters only. Parameters no shard reached keep no gradient, as in
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

    /**
     * @param collective the ranks of the run
     * @param model      this rank's replica
     * @param shards     logical shards per global batch, at least the number of ranks
     * @throws IllegalArgumentException when the model has buffers or non-F32 parameters, or
     *                                  there are fewer shards than ranks
     */
    public DataParallel(Collective collective, Layer model, int shards) {
        this.collective = Objects.requireNonNull(collective, "collective");
        Map<String, Tensor> named = model.namedParameters();
        Map<String, Tensor> state = model.stateDict();
        if (state.size() != named.size()) {
            throw new IllegalArgumentException("DataParallel: the model has buffers (" + state.keySet().stream()
                    .filter(k -> !named.containsKey(k)).toList() + "); combining their updates across ranks is"
                    + " not supported");
        }
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
        for (int s = 0; s < values.length; s++) {
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
        collective.sumShards(layout, values, present, sum, sumPresent);
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
}
