package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.nn.BatchNorm2d} over {@code [N, C, H, W]}, through {@link Ops#batchNorm}.
 *
 * <p>Parameters {@code weight} (ones) and {@code bias} (zeros) when {@code affine}; buffers
 * {@code running_mean} (zeros), {@code running_var} (ones) and {@code num_batches_tracked} when
 * {@code trackRunningStats}. In training mode the batch statistics normalise and the running
 * statistics move by {@code momentum} (unbiased variance); {@code num_batches_tracked} counts
 * the training batches. In evaluation mode the running statistics normalise. Without running
 * statistics the batch statistics are used in both modes, as in PyTorch.
 *
 * <p>{@code num_batches_tracked} is a scalar of the module's dtype (Lanes has no integer
 * tensors; PyTorch's is int64). A state dict without it loads, strict or not, and sets it to 0,
 * as PyTorch 1.13 does for old checkpoints. {@code momentum = None} (a cumulative average) is
 * not supported.
 */
public final class BatchNorm2d extends Layer {

    private static final String TRACKED = "num_batches_tracked";

    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter numBatchesTracked;

    /**
     * @param numFeatures       the channel count C, >= 1
     * @param eps               added to the variance, > 0
     * @param momentum          the running-statistics update factor, in [0, 1]
     * @param affine            whether to learn {@code weight} and {@code bias}
     * @param trackRunningStats whether to keep running statistics
     * @param dtype             the type of the parameters and buffers
     */
    public BatchNorm2d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats,
                       DType dtype) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("BatchNorm2d: num_features must be >= 1, got " + numFeatures);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm2d: eps must be > 0, got " + eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm2d: momentum must be in [0, 1], got " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", Tensor.ones(dtype, numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(dtype, numFeatures)) : null;
        if (trackRunningStats) {
            this.runningMean = registerBuffer("running_mean", Tensor.zeros(dtype, numFeatures));
            this.runningVar = registerBuffer("running_var", Tensor.ones(dtype, numFeatures));
            this.numBatchesTracked = registerBuffer(TRACKED, Tensor.scalar(dtype, 0));
        } else {
            this.runningMean = null;
            this.runningVar = null;
            this.numBatchesTracked = null;
        }
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, running statistics, F32. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true, DType.F32);
    }

    /** The defaults with parameters and buffers of {@code dtype}. */
    public BatchNorm2d(int numFeatures, DType dtype) {
        this(numFeatures, 1e-5, 0.1, true, true, dtype);
    }

    /** @return the weight slot, or null without {@code affine} */
    public Parameter weight() {
        return weight;
    }

    /** @return the bias slot, or null without {@code affine} */
    public Parameter bias() {
        return bias;
    }

    /** @return the running mean slot, or null without running statistics */
    public Parameter runningMean() {
        return runningMean;
    }

    /** @return the running variance slot, or null without running statistics */
    public Parameter runningVar() {
        return runningVar;
    }

    /** @return the number of training batches seen (0 without running statistics) */
    public long numBatchesTracked() {
        return numBatchesTracked == null ? 0 : (long) numBatchesTracked.tensor().item();
    }

    /**
     * Sets the number of training batches seen (the {@code num_batches_tracked} buffer).
     *
     * @throws IllegalStateException    without running statistics
     * @throws IllegalArgumentException on a negative count
     */
    public void setNumBatchesTracked(long n) {
        if (numBatchesTracked == null) {
            throw new IllegalStateException("BatchNorm2d: this layer keeps no running statistics");
        }
        if (n < 0) {
            throw new IllegalArgumentException("BatchNorm2d: num_batches_tracked must be >= 0, got " + n);
        }
        numBatchesTracked.tensor().setFlat(0, n);
    }

    @Override
    public Tensor forward(Tensor input) {
        return normalise(input, null, false);
    }

    /**
     * {@code relu(forward(input) + residual)} as one fused operation ({@link Ops#batchNormRelu}):
     * the same values, gradients and running statistics as the separate modules, in one pass.
     *
     * @param residual added before the ReLU, of the input's shape, or null for {@code relu(forward(input))}
     * @throws IllegalArgumentException as {@link #forward}, or when the residual's shape or dtype
     *                                  is not the input's
     */
    public Tensor forwardRelu(Tensor input, Tensor residual) {
        return normalise(input, residual, true);
    }

    private Tensor normalise(Tensor input, Tensor residual, boolean relu) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("BatchNorm2d: expected a 4-d input [N, C, H, W], but got shape "
                    + input.shape());
        }
        if (input.size(1) != numFeatures) {
            throw new IllegalArgumentException("BatchNorm2d: expected " + numFeatures + " channels, but the input has"
                    + " shape " + input.shape());
        }
        boolean tracking = runningMean != null;
        boolean batchStats = isTraining() || !tracking;
        Tensor rm = tracking ? runningMean.tensor() : null;
        Tensor rv = tracking ? runningVar.tensor() : null;
        Tensor w = weight == null ? null : weight.tensor();
        Tensor b = bias == null ? null : bias.tensor();
        Tensor out = relu ? Ops.batchNormRelu(input, residual, rm, rv, w, b, batchStats, momentum, eps)
                : Ops.batchNorm(input, rm, rv, w, b, batchStats, momentum, eps);
        if (tracking && isTraining()) {
            Tensor n = numBatchesTracked.tensor();
            n.setFlat(0, n.getFlat(0) + 1);
        }
        return out;
    }

    @Override
    protected Set<String> optionalStateKeys() {
        return numBatchesTracked == null ? Set.of() : Set.of(TRACKED);
    }

    @Override
    protected Map<String, Tensor> ownStateToSlots(Map<String, Tensor> given, String prefix, List<String> problems) {
        if (numBatchesTracked == null || given.containsKey(TRACKED)) {
            return given;
        }
        Map<String, Tensor> out = new LinkedHashMap<>(given);
        out.put(TRACKED, Tensor.scalar(numBatchesTracked.tensor().dtype(), 0));
        return out;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null ? "True" : "False")
                + ", track_running_stats=" + (runningMean != null ? "True" : "False");
    }

    /** @return the channel count C */
    public int numFeatures() {
        return numFeatures;
    }

    /** @return the value added to the variance */
    public double eps() {
        return eps;
    }

    /** @return the running-statistics update factor */
    public double momentum() {
        return momentum;
    }
}
