package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.EpilogueOp;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.NormKernels.BlockedTerm;
import dev.lanes.kernel.internal.Norms;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@link BatchNormNode} on channel-blocked activations ({@code ChannelBlocked}), with the same
 * per-channel values ({@link BatchNormNode.ChannelValues}): every channel's sums are taken in the
 * fixed order over its values in image and pixel order, as the NCHW node's channel runs are, and
 * the elementwise passes are the NCHW ones lane by lane, so both layouts give the same bits. One
 * block of channels per task; lanes past the channel count get zero parameters and stay zero.
 */
final class BlockedBatchNormNode extends OwnedGradientNode implements EpilogueOp {

    private final int channels;
    private final boolean batchStats;
    private final boolean hasWeight;
    private final boolean hasBias;
    private final boolean hasResidual;
    /** Per lane of every block, as the forward pass used them: mean, invstd, weight * invstd. */
    private float[] mean;
    private float[] invstd;
    private float[] scale;
    /** The output, kept for the ReLU mask; null without the ReLU. */
    private Tensor out;

    private BlockedBatchNormNode(Tensor[] inputs, int channels, boolean batchStats, boolean hasWeight, boolean hasBias,
                                 boolean hasResidual, float[] mean, float[] invstd, float[] scale, Tensor out) {
        super(out == null ? "batchNorm" : "batchNormRelu", out == null ? "NativeBatchNormBackward0" : "ReluBackward0",
                inputs);
        this.channels = channels;
        this.batchStats = batchStats;
        this.hasWeight = hasWeight;
        this.hasBias = hasBias;
        this.hasResidual = hasResidual;
        this.mean = mean;
        this.invstd = invstd;
        this.scale = scale;
        this.out = out;
    }

    static Tensor apply(Tensor x, int channels, Tensor residual, boolean relu, Tensor runningMean, Tensor runningVar,
                        Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
        String op = (relu ? "batchNormRelu" : "batchNorm") + " (channel-blocked)";
        int block = ChannelBlockedOps.checkBlocked(op, x);
        ChannelBlockedOps.checkChannels(op, x, channels);
        check(op, x, channels, residual, relu, runningMean, runningVar, weight, bias, training, eps);
        int n = x.size(0);
        int blocks = x.size(1);
        int plane = x.size(2) * x.size(3);
        int m = n * plane;
        int segStride = blocks * plane * block;
        float[] xs = x.f32();
        float[] rs = residual == null ? null : residual.f32();
        Tensor y = StepArena.empty(DType.F32, x.shape()); // every block's pass writes all its lanes
        float[] ys = y.f32();
        BatchNormNode.ChannelValues v = new BatchNormNode.ChannelValues(channels, DType.F32, runningMean, runningVar,
                weight, training, momentum, eps, m);
        // Per lane of every block, taken on this thread before the loop; lanes past the channels
        // get zero parameters.
        int lanesTotal = blocks * block;
        float[] means = laneArray(lanesTotal);
        float[] invstds = laneArray(lanesTotal);
        float[] scales = laneArray(lanesTotal);
        float[] w = laneArray(lanesTotal);
        float[] b = laneArray(lanesTotal);
        float[] sums = laneArray(lanesTotal);
        float[] deviations = laneArray(lanesTotal);
        Layout lay = new Layout(n, blocks, plane, block);
        if (training) {
            lay.sums(BlockedTerm.PLAIN, xs, null, null, null, sums);
            // The centres of the two-pass variance go where the means will be.
            for (int ch = 0; ch < channels; ch++) {
                means[ch] = (float) v.center((double) sums[ch] / m);
            }
            lay.sums(BlockedTerm.SQUARED_DEVIATION, xs, null, means, null, deviations);
            for (int ch = 0; ch < channels; ch++) {
                v.fromBatch(ch, (double) sums[ch] / m, deviations[ch]);
            }
        } else {
            for (int ch = 0; ch < channels; ch++) {
                v.fromRunning(ch);
            }
        }
        for (int ch = 0; ch < channels; ch++) {
            means[ch] = (float) v.means[ch];
            invstds[ch] = (float) v.invstds[ch];
            scales[ch] = (float) v.scale[ch];
            w[ch] = (float) v.weight(ch);
            b[ch] = bias == null ? 0f : (float) bias.getFlat(ch);
        }
        lay.forEachRange((cb, s0, s1) -> Norms.blockedBatchNorm(block, s1 - s0, plane, xs, lay.offset(cb, s0), rs,
                lay.offset(cb, s0), segStride, means, invstds, w, b, cb * block, relu, ys, lay.offset(cb, s0)));
        v.recordUpdates();
        Tensor[] inputs = Sequences.present(x, weight, bias, residual);
        return Tape.output(op, y, () -> new BlockedBatchNormNode(inputs, channels, training, weight != null,
                bias != null, residual != null, means, invstds, scales, relu ? y : null), inputs);
    }

    /** The NCHW node's argument checks, for {@code channels} channels. */
    private static void check(String op, Tensor x, int channels, Tensor residual, boolean relu, Tensor runningMean,
                              Tensor runningVar, Tensor weight, Tensor bias, boolean training, double eps) {
        String[] names = {"running_mean", "running_var", "weight", "bias"};
        Tensor[] perChannel = {runningMean, runningVar, weight, bias};
        for (int i = 0; i < names.length; i++) {
            Tensor t = perChannel[i];
            if (t != null && (t.rank() != 1 || t.size(0) != channels || t.dtype() != DType.F32)) {
                throw new IllegalArgumentException(op + ": " + names[i] + " should be F32 [" + channels + "], but got "
                        + t.dtype() + " " + t.shape());
            }
        }
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(op + ": running_mean and running_var must both be given or both be null");
        }
        if (!training && runningMean == null) {
            throw new IllegalArgumentException(op + ": evaluation mode needs running_mean and running_var");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(op + ": eps must be > 0, got " + eps);
        }
        if (training && (long) x.size(0) * x.size(2) * x.size(3) <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input"
                    + " shape " + x.shape());
        }
        if (residual != null && (!relu || !residual.shape().equals(x.shape()) || residual.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": a residual comes with the ReLU and has the input's shape "
                    + x.shape() + ", but got " + residual.dtype() + " " + residual.shape());
        }
    }

    @Override
    Tensor[] backward(Tensor g, boolean ownsG) {
        Tensor x = input(0);
        int block = x.size(4);
        int n = x.size(0);
        int blocks = x.size(1);
        int plane = x.size(2) * x.size(3);
        int m = n * plane;
        int segStride = blocks * plane * block;
        int biasSlot = hasWeight ? 2 : 1;
        int residualSlot = inputCount() - 1;
        boolean needsDr = hasResidual && needsGrad(residualSlot);
        // As in BatchNormNode: the masked gradient goes into the tensor that needs it next, and
        // dx is computed element by element from the same index, so it may share that storage.
        Tensor dr = needsDr ? ownsG ? g : StepArena.empty(DType.F32, g.shape()) : null;
        Tensor dx = needsGrad(0) ? ownsG && !needsDr ? g : StepArena.empty(DType.F32, g.shape()) : null;
        Tensor dw = hasWeight && needsGrad(1) ? StepArena.zeros(DType.F32, channels) : null;
        Tensor db = hasBias && needsGrad(biasSlot) ? StepArena.zeros(DType.F32, channels) : null;
        Tensor grad = g;
        if (out != null) {
            grad = dr != null ? dr : dx != null ? dx : ownsG ? g : StepArena.empty(DType.F32, g.shape());
            int size = g.numel();
            if (Parallel.splits(size, Parallel.ELEMENTWISE_GRAIN)) {
                Tensor masked = grad;
                Parallel.forRanges(size, Parallel.ELEMENTWISE_GRAIN, (from, to) ->
                        Dispatch.activateBackward(Activation.RELU, out, from, g, from, masked, from, to - from));
            } else {
                Dispatch.activateBackward(Activation.RELU, out, 0, g, 0, grad, 0, size);
            }
        }
        float[] gs = grad.f32();
        float[] xs = x.f32();
        float[] dxs = dx == null ? null : dx.f32();
        float[] sg = laneArray(blocks * block);
        float[] sgx = laneArray(blocks * block);
        float[] meanG = laneArray(blocks * block);
        float[] meanGx = laneArray(blocks * block);
        Layout lay = new Layout(n, blocks, plane, block);
        lay.sums(BlockedTerm.PLAIN, gs, null, null, null, sg);
        lay.sums(BlockedTerm.NORMALISED_PRODUCT, xs, gs, mean, invstd, sgx);
        for (int ch = 0; ch < channels; ch++) {
            if (dw != null) {
                dw.setFlat(ch, sgx[ch]);
            }
            if (db != null) {
                db.setFlat(ch, sg[ch]);
            }
            meanG[ch] = (float) ((double) sg[ch] / m);
            meanGx[ch] = (float) ((double) sgx[ch] / m);
        }
        if (dxs != null) {
            lay.forEachRange((cb, s0, s1) -> Norms.blockedBatchNormBackward(block, s1 - s0, plane, gs, xs,
                    lay.offset(cb, s0), segStride, mean, invstd, scale, meanG, meanGx, cb * block, batchStats, dxs));
        }
        Tensor[] grads = gradients(dx, hasWeight, dw, hasBias, db);
        if (hasResidual) {
            grads[residualSlot] = dr;
        }
        return grads;
    }

    /**
     * How a blocked activation's passes are split across threads: the per-channel sums by block
     * of channels and range of {@code SUM_BLOCK}-term blocks of the fixed order, whose results
     * are then added in order on the calling thread; the elementwise passes by block and range of
     * images. Neither split changes a value, so the bits do not depend on the thread count.
     */
    private record Layout(int n, int blocks, int plane, int block) {

        int offset(int cb, int image) {
            return (image * blocks + cb) * plane * block;
        }

        /** Per lane of every block, the fixed-order sums of {@code term} into {@code out}. */
        void sums(BlockedTerm term, float[] x, float[] y, float[] center, float[] scale, float[] out) {
            int sumBlocks = Norms.sumBlocks((long) n * plane);
            int chunks = Math.max(1, Math.min(sumBlocks, 2 * Parallel.threads()));
            float[] results = StepArena.floats(blocks * sumBlocks * block);
            Parallel.forEach(blocks * chunks, t -> {
                int cb = t / chunks;
                int k0 = (int) ((long) sumBlocks * (t % chunks) / chunks);
                int k1 = (int) ((long) sumBlocks * (t % chunks + 1) / chunks);
                Norms.blockedSumBlocks(term, block, n, plane, x, y, offset(cb, 0), blocks * plane * block, center,
                        scale, cb * block, k0, k1, results, (cb * sumBlocks + k0) * block);
            });
            for (int cb = 0; cb < blocks; cb++) {
                Norms.addSumBlocks(results, cb * sumBlocks * block, sumBlocks, block, out, cb * block);
            }
        }

        /** Runs {@code pass} on every block for ranges of images. */
        void forEachRange(RangePass pass) {
            int ranges = Math.max(1, Math.min(n, 2 * Parallel.threads()));
            Parallel.forEach(blocks * ranges, t -> {
                int cb = t / ranges;
                pass.run(cb, (int) ((long) n * (t % ranges) / ranges), (int) ((long) n * (t % ranges + 1) / ranges));
            });
        }
    }

    private interface RangePass {
        void run(int block, int fromImage, int toImage);
    }

    /** A zeroed per-lane array of the step ({@link StepArena}). */
    private static float[] laneArray(int n) {
        float[] a = StepArena.floats(n);
        java.util.Arrays.fill(a, 0f);
        return a;
    }

    @Override
    protected void release() {
        super.release();
        mean = null;
        invstd = null;
        scale = null;
        out = null;
    }

    /**
     * Evaluation mode only: the eager kernel on runs of whole pixels of one block of channels,
     * with the per-lane values the forward used (the running statistics as of the capture) copied
     * into the plan; a plan runs it in the tiles of the convolution producing its input where it
     * can ({@link EpilogueOp}).
     */
    @Override
    public void lower(Lowering l) {
        Epilogue.lowerAlone(l, this, input(0));
    }

    @Override
    public boolean fusesAfter(Tensor through) {
        return !batchStats && through == input(0);
    }

    @Override
    public Epilogue epilogue(Lowering l, Tensor through) {
        if (batchStats) {
            throw l.refuse("normalises by batch statistics (training mode); plans run batch norm in eval mode");
        }
        Tensor x0 = input(0);
        int i = 1;
        Tensor weight = hasWeight ? input(i++) : null;
        Tensor bias = hasBias ? input(i++) : null;
        Tensor residual = hasResidual ? input(i) : null;
        int block = x0.size(4);
        int blocks = x0.size(1);
        int segment = x0.size(2) * x0.size(3) * block;
        float[] means = mean.clone();
        float[] invstds = invstd.clone();
        for (int ch = 0; ch < channels; ch++) {
            if (!Float.isFinite(means[ch]) || !Float.isFinite(invstds[ch])) {
                throw l.refuse("channel " + ch + " has running mean " + means[ch] + " and 1 / sqrt(running_var + eps) "
                        + invstds[ch] + "; a plan needs finite statistics");
            }
        }
        float[] w = new float[means.length];
        float[] b = new float[means.length];
        float[] wv = weight == null ? null : l.constant(weight);
        float[] bv = bias == null ? null : l.constant(bias);
        for (int ch = 0; ch < channels; ch++) {
            w[ch] = wv == null ? 1f : wv[ch];
            b[ch] = bv == null ? 0f : bv[ch];
        }
        boolean relu = out != null;
        Slot r = residual == null ? null : l.in(residual);
        return (mem, from, to, index, n) -> {
            for (int at = 0; at < n; ) {
                int len = Math.min(n - at, segment - (index + at) % segment);
                int lanes = (index + at) / segment % blocks * block;
                Norms.blockedBatchNorm(block, 1, len / block, mem, from + at, r == null ? null : mem,
                        r == null ? 0 : r.at() + index + at, len, means, invstds, w, b, lanes, relu, mem, to + at);
                at += len;
            }
        };
    }
}
