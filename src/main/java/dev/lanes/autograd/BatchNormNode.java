package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.EpilogueOp;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Norms;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.kernel.internal.Scratch;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.BackwardContext;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.RunningStatistics;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code torch.nn.functional.batch_norm} over an input {@code [N, C, *]}, optionally followed by
 * {@code relu(. + residual)}, as one tape node, in F32 and F64 alike. In training mode each
 * channel is normalised with the batch mean and the biased variance, and the running statistics
 * (when given) become {@code (1 - momentum) running + momentum stat}, with the unbiased variance.
 * In evaluation mode the running statistics are used. The elementwise passes are the kernels'
 * ({@link Norms}); per-channel values are computed here in double and rounded to the working
 * precision where the F32 arithmetic rounds (a no-op in F64).
 *
 * <p>Channels are independent, so they are split across threads. For the statistics, each
 * channel's planes are first copied into one contiguous per-thread run, so that each statistic is
 * a single fixed-order reduction of that run (the same on any thread count and provider),
 * whatever the plane size; on small planes (7x7, say), one reduction per plane would cost more
 * in overhead than in arithmetic. The variance is two-pass: {@code sum((x - c)^2)} about the mean
 * rounded to the working precision, {@code c}, corrected by {@code m (mean - c)^2}, so a large
 * mean does not cancel the variance away; the second pass reads the run from cache.
 *
 * <p>Backward in training mode goes through the batch statistics in closed form,
 * {@code dx = w invstd ((dy - mean(dy)) - xhat mean(dy xhat))}; in evaluation mode it is
 * {@code dx = w invstd dy}. It recomputes {@code xhat} from the saved input and per-channel
 * statistics rather than keep a second activation-sized array alive on the tape. With the ReLU it
 * masks the incoming gradient once from the saved output, as the separate ReLU node would: the
 * sum and the pre-activation are never stored, and values and gradients are the bits of the
 * three separate ops.
 */
final class BatchNormNode extends OwnedGradientNode implements EpilogueOp {

    /** Elements per channel run up to which the backward's second pass reads the runs. */
    private static final int RUN_REREAD_LIMIT = 16384;

    private final boolean batchStats;
    private final boolean hasWeight;
    private final boolean hasBias;
    private final boolean hasResidual;
    /**
     * Per channel, as the forward pass used them: the mean, 1 / sqrt(var + eps), and w times that,
     * each a value of the working precision (so {@link Norms} narrows them to float exactly).
     */
    private double[] mean;
    private double[] invstd;
    private double[] scale;
    /** The output, kept for the ReLU mask; null without the ReLU. */
    private Tensor out;

    private BatchNormNode(Tensor[] inputs, boolean batchStats, boolean hasWeight, boolean hasBias,
                          boolean hasResidual, double[] mean, double[] invstd, double[] scale, Tensor out) {
        super(out == null ? "batchNorm" : "batchNormRelu",
                out == null ? "NativeBatchNormBackward0" : "ReluBackward0", inputs);
        this.batchStats = batchStats;
        this.hasWeight = hasWeight;
        this.hasBias = hasBias;
        this.hasResidual = hasResidual;
        this.mean = mean;
        this.invstd = invstd;
        this.scale = scale;
        this.out = out;
    }

    /**
     * {@code batchNorm(x)}, or with {@code relu} {@code relu(batchNorm(x) + residual)}
     * ({@code residual} null for none).
     */
    static Tensor apply(Tensor x, Tensor residual, boolean relu, Tensor runningMean, Tensor runningVar,
                        Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
        String op = relu ? "batchNormRelu" : "batchNorm";
        check(op, x, runningMean, runningVar, weight, bias, training, eps);
        if (residual != null && (!residual.shape().equals(x.shape()) || residual.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": the residual must have the input's shape " + x.shape()
                    + " and dtype " + x.dtype() + ", but got " + residual.shape() + " " + residual.dtype());
        }
        int n = x.size(0);
        int c = x.size(1);
        int inner = inner(x);
        int m = n * inner;
        DType dtype = x.dtype();
        Object xs = Dispatch.storage(x);
        Object rs = residual == null ? null : Dispatch.storage(residual);
        Tensor y = StepArena.empty(dtype, x.shape()); // every channel's pass writes its planes
        Object ys = Dispatch.storage(y);
        ChannelValues v = new ChannelValues(c, dtype, runningMean, runningVar, weight, training, momentum, eps, m);
        Parallel.forEach(c, ch -> {
            if (training) {
                Object values = gather(xs, n, c, inner, ch, Scratch.CHANNEL_RUN);
                double mean = sum(values, m) / m;
                v.fromBatch(ch, mean, sumOfSquaredDeviations(values, m, v.center(mean)));
            } else {
                v.fromRunning(ch);
            }
            Norms.batchNorm(n, inner, xs, rs, ch * inner, c * inner, v.means[ch], v.invstds[ch], v.weight(ch),
                    bias == null ? 0 : bias.getFlat(ch), relu, ys, ch * inner, c * inner);
        });
        v.recordUpdates();
        Tensor[] inputs = Sequences.present(x, weight, bias, residual);
        return Tape.output(op, y, () -> new BatchNormNode(inputs, training, weight != null, bias != null,
                residual != null, v.means, v.invstds, v.scale, relu ? y : null), inputs);
    }

    /**
     * The per-channel values of one batch-norm call, set channel by channel (each channel by one
     * thread): the mean, {@code 1 / sqrt(var + eps)} and the weight times that, rounded to the
     * working precision as the backward pass uses them, and the running statistics' updates,
     * applied at once or, while data-parallel training records them, logged
     * ({@link RunningStatistics}) to be applied later in shard order.
     */
    static final class ChannelValues {

        final double[] means;
        final double[] invstds;
        final double[] scale;
        private final DType dtype;
        private final Tensor runningMean;
        private final Tensor runningVar;
        private final Tensor weight;
        private final double momentum;
        private final double eps;
        private final int m;
        private final double[] batchMeans;
        private final double[] batchVariances;

        /** @param m values per channel */
        ChannelValues(int c, DType dtype, Tensor runningMean, Tensor runningVar, Tensor weight, boolean training,
                      double momentum, double eps, int m) {
            // Saved for the backward pass; every channel is set.
            this.means = StepArena.doubles(c);
            this.invstds = StepArena.doubles(c);
            this.scale = StepArena.doubles(c);
            this.dtype = dtype;
            this.runningMean = runningMean;
            this.runningVar = runningVar;
            this.weight = weight;
            this.momentum = momentum;
            this.eps = eps;
            this.m = m;
            boolean record = training && runningMean != null && RunningStatistics.recording();
            this.batchMeans = record ? new double[c] : null;
            this.batchVariances = record ? new double[c] : null;
        }

        /** @return the centre of the two-pass variance: the mean rounded to the working precision */
        double center(double mean) {
            return round(dtype, mean);
        }

        /** @return channel {@code ch}'s weight (1 without one) */
        double weight(int ch) {
            return weight == null ? 1 : weight.getFlat(ch);
        }

        /**
         * Training: channel {@code ch} from its batch mean and its sum of squared deviations about
         * {@link #center}, corrected by {@code m (mean - center)^2}.
         */
        void fromBatch(int ch, double mean, double squaredDeviations) {
            double offset = mean - center(mean);
            double var = Math.max(0, squaredDeviations / m - offset * offset);
            double invstd = 1 / Math.sqrt(var + eps);
            if (batchMeans != null) {
                batchMeans[ch] = mean;
                batchVariances[ch] = var;
            } else if (runningMean != null) {
                runningMean.setFlat(ch, RunningStatistics.mean(runningMean.getFlat(ch), mean, momentum));
                runningVar.setFlat(ch, RunningStatistics.variance(runningVar.getFlat(ch), var, m, momentum));
            }
            set(ch, mean, invstd);
        }

        /** Evaluation: channel {@code ch} from the running statistics. */
        void fromRunning(int ch) {
            set(ch, runningMean.getFlat(ch), 1 / Math.sqrt(runningVar.getFlat(ch) + eps));
        }

        private void set(int ch, double mean, double invstd) {
            means[ch] = round(dtype, mean);
            invstds[ch] = round(dtype, invstd);
            scale[ch] = round(dtype, weight(ch) * invstds[ch]);
        }

        /** Logs the batch's updates of the running statistics when they are being recorded. */
        void recordUpdates() {
            if (batchMeans != null) {
                RunningStatistics.record(new RunningStatistics.Update(runningMean, runningVar, batchMeans,
                        batchVariances, m, momentum));
            }
        }
    }

    /** PyTorch's argument checks of {@code batch_norm}, with {@code op} naming the caller. */
    static void check(String op, Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                              boolean training, double eps) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": expected an input [N, C, *] of rank >= 2, but got shape "
                    + x.shape());
        }
        checkChannels(op, "running_mean", runningMean, x);
        checkChannels(op, "running_var", runningVar, x);
        checkChannels(op, "weight", weight, x);
        checkChannels(op, "bias", bias, x);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(op + ": running_mean and running_var must both be given or both be null");
        }
        if (!training && runningMean == null) {
            throw new IllegalArgumentException(op + ": evaluation mode needs running_mean and running_var");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(op + ": eps must be > 0, got " + eps);
        }
        if (training && x.size(0) * inner(x) <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input"
                    + " shape " + x.shape());
        }
    }

    private static void checkChannels(String op, String name, Tensor t, Tensor x) {
        if (t == null) {
            return;
        }
        int c = x.size(1);
        if (t.rank() != 1 || t.size(0) != c) {
            throw new IllegalArgumentException(op + ": " + name + " should have shape [" + c + "] for an input of shape "
                    + x.shape() + ", but got " + t.shape());
        }
        if (t.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " is " + t.dtype() + " but the input is " + x.dtype());
        }
    }

    /**
     * @param ownsG whether {@code g} is this call's to overwrite ({@link BackwardContext#owns}): it then
     *              becomes the residual's gradient, else {@code dx}, instead of a new tensor
     */
    @Override
    Tensor[] backward(Tensor g, boolean ownsG) {
        DType dtype = g.dtype();
        int biasSlot = hasWeight ? 2 : 1;
        int residualSlot = inputCount() - 1;
        // The residual's gradient is the masked incoming gradient itself.
        boolean needsDr = hasResidual && needsGrad(residualSlot);
        // Written whole below: dr by the ReLU mask (a residual comes only with the ReLU), dx by the
        // channels' passes.
        Tensor dr = needsDr ? ownsG ? g : StepArena.empty(dtype, g.shape()) : null;
        Tensor dx = needsGrad(0) ? ownsG && !needsDr ? g : StepArena.empty(dtype, g.shape()) : null;
        Tensor dw = hasWeight && needsGrad(1) ? StepArena.zeros(dtype, mean.length) : null;
        Tensor db = hasBias && needsGrad(biasSlot) ? StepArena.zeros(dtype, mean.length) : null;
        // With the ReLU, the incoming gradient is first masked in one pass over the whole tensor
        // (as the separate ReLU node would) into the tensor that needs it next: the residual's
        // gradient, else dx (then overwritten in place), else g itself when owned, else a
        // temporary. The pass below computes dx element by element from the same index (or from
        // the channel runs), so dx may be the masked gradient's own storage.
        Tensor grad = g;
        if (out != null) {
            grad = dr != null ? dr : dx != null ? dx : ownsG ? g : StepArena.empty(dtype, g.shape());
            Dispatch.activateBackward(Activation.RELU, out, 0, g, 0, grad, 0, g.numel());
        }
        Object gs = Dispatch.storage(grad);
        Object xs = Dispatch.storage(input(0));
        Object dxs = dx == null ? null : Dispatch.storage(dx);
        int n = g.size(0);
        int c = g.size(1);
        int inner = inner(g);
        int m = n * inner;
        // A channel's runs of up to RUN_REREAD_LIMIT elements are still in L1/L2 and are read back
        // from there; longer ones are not, and the second pass rereads the arrays in place.
        boolean fromRuns = m <= RUN_REREAD_LIMIT;
        Parallel.forEach(c, ch -> {
            int off = ch * inner;
            // The channel's gradient and its normalised input as contiguous runs, so that
            // each sum is one fixed-order reduction. xhat is ((x - mean) invstd) 1 + (-0):
            // adding -0 changes no value, not even a -0.
            Object gc = gather(gs, n, c, inner, ch, Scratch.CHANNEL_RUN);
            Object xhat = scratch(gs, Scratch.CHANNEL_XHAT, m);
            Norms.batchNorm(n, inner, xs, null, off, c * inner, mean[ch], invstd[ch], 1, -0d, false, xhat, 0,
                    inner);
            double sg = sum(gc, m);
            double sgx = dot(gc, xhat, m);
            if (dw != null) {
                dw.setFlat(ch, sgx);
            }
            if (db != null) {
                db.setFlat(ch, sg);
            }
            if (dxs == null) {
                return;
            }
            double meanG = round(dtype, sg / m);
            double meanGx = round(dtype, sgx / m);
            if (fromRuns) {
                // The runs hold xhat itself: a mean of 0 and an invstd of 1 leave it as it is.
                Norms.batchNormBackward(n, inner, gc, xhat, 0, inner, 0, 1, scale[ch], meanG, meanGx, batchStats,
                        dxs, off, c * inner);
            } else {
                Norms.batchNormBackward(n, inner, gs, xs, off, c * inner, mean[ch], invstd[ch], scale[ch], meanG,
                        meanGx, batchStats, dxs, off, c * inner);
            }
        });
        Tensor[] grads = gradients(dx, hasWeight, dw, hasBias, db);
        if (hasResidual) {
            grads[residualSlot] = dr;
        }
        return grads;
    }

    /** Elements per channel and sample of an input {@code [N, C, *]}. */
    private static int inner(Tensor x) {
        return x.size(1) == 0 || x.size(0) == 0 ? 0 : x.numel() / (x.size(0) * x.size(1));
    }

    /** {@code v} rounded to the working precision. */
    static double round(DType dtype, double v) {
        return dtype == DType.F32 ? (float) v : v;
    }

    /** Channel {@code ch}'s planes copied into the thread's scratch run {@code slot}. */
    private static Object gather(Object data, int n, int c, int inner, int ch, int slot) {
        Object run = scratch(data, slot, n * inner);
        for (int b = 0; b < n; b++) {
            System.arraycopy(data, (b * c + ch) * inner, run, b * inner, inner);
        }
        return run;
    }

    /** The thread's scratch array {@code slot} of {@code like}'s precision, at least {@code size} long. */
    private static Object scratch(Object like, int slot, int size) {
        return like instanceof float[] ? Scratch.floats(slot, size) : Scratch.doubles(slot, size);
    }

    // The fixed-order sums of a run, in double.

    private static double sum(Object run, int m) {
        return run instanceof float[] f ? Reductions.sum(f, 0, m) : Reductions.sum((double[]) run, 0, m);
    }

    private static double sumOfSquaredDeviations(Object run, int m, double center) {
        return run instanceof float[] f ? Reductions.sumOfSquaredDeviations(f, 0, m, (float) center)
                : Reductions.sumOfSquaredDeviations((double[]) run, 0, m, center);
    }

    private static double dot(Object a, Object b, int m) {
        return a instanceof float[] f ? Reductions.dot(f, 0, (float[]) b, 0, m)
                : Reductions.dot((double[]) a, 0, (double[]) b, 0, m);
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
     * Evaluation mode only: the eager kernel channel by channel with the values the forward used
     * (the running statistics as of the capture), in F32 whatever the traced dtype; a plan runs it
     * in the steps of the convolution producing its input where it can ({@link EpilogueOp}).
     */
    @Override
    public void lower(Lowering l) {
        Epilogue.lowerAlone(l, this, input(0));
    }

    /**
     * Fuses on images with planes of several elements: on features {@code [N, C]} the runs a
     * product's column tiles write would hold one element of each channel.
     */
    @Override
    public boolean fusesAfter(Tensor through) {
        return !batchStats && through == input(0) && inner(through) > 1;
    }

    @Override
    public Epilogue epilogue(Lowering l, Tensor through) {
        if (batchStats) {
            throw l.refuse("normalises by batch statistics (training mode, or no running statistics); plans run"
                    + " batch norm in eval mode with running statistics");
        }
        Tensor x0 = input(0);
        int i = 1;
        Tensor weight = hasWeight ? input(i++) : null;
        Tensor bias = hasBias ? input(i++) : null;
        Tensor residual = hasResidual ? input(i) : null;
        int c = x0.size(1);
        int inner = inner(x0);
        int image = c * inner;
        double[] means = mean.clone();
        double[] invstds = invstd.clone();
        for (int ch = 0; ch < c; ch++) {
            if (!Float.isFinite((float) means[ch]) || !Float.isFinite((float) invstds[ch])) {
                throw l.refuse("channel " + ch + " has running mean " + means[ch] + " and 1 / sqrt(running_var + eps) "
                        + invstds[ch] + "; a plan needs finite statistics");
            }
        }
        float[] w = weight == null ? null : l.constant(weight);
        float[] b = bias == null ? null : l.constant(bias);
        boolean relu = out != null;
        Slot r = residual == null ? null : l.in(residual);
        return (mem, from, to, index, n) -> {
            if (n == 0) {
                return;
            }
            if (index % image == 0 && n % image == 0) {
                // Whole images: each channel once, over all of them.
                for (int ch = 0; ch < c; ch++) {
                    int off = ch * inner;
                    Norms.batchNorm(n / image, inner, mem, from + off, r == null ? null : mem,
                            r == null ? 0 : r.at() + index + off, image, means[ch], invstds[ch], w == null ? 1 : w[ch],
                            b == null ? 0 : b[ch], relu, mem, to + off, image);
                }
                return;
            }
            for (int at = 0; at < n; ) {
                int len = Math.min(n - at, inner - (index + at) % inner);
                int ch = (index + at) / inner % c;
                Norms.batchNorm(1, len, mem, from + at, r == null ? null : mem, r == null ? 0 : r.at() + index + at,
                        len, means[ch], invstds[ch], w == null ? 1 : w[ch], b == null ? 0 : b[ch], relu, mem, to + at,
                        len);
                at += len;
            }
        };
    }
}
