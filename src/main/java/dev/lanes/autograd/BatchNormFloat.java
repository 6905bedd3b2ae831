package dev.lanes.autograd;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.BackwardContext;
import dev.lanes.tensor.internal.GradFn;

/**
 * {@link BatchNorm} on F32 tensors, in float storage with the library's fixed-order vector
 * reductions, optionally followed by {@code relu(. + residual)} in the same pass
 * ({@link BatchNorm#applyRelu}). Channels are independent, so they are split across threads.
 * For the statistics, each channel's planes are first copied into one contiguous per-thread run,
 * so that each statistic is a single fixed-order reduction of that run (the same on any thread
 * count and provider), whatever the plane size; on small planes (7x7, say), one reduction per
 * plane would cost more in overhead than in arithmetic.
 *
 * <p>The variance is two-pass: {@code sum((x - c)^2)} about the mean rounded to float,
 * {@code c}, corrected by {@code m (mean - c)^2}, so a large mean does not cancel the variance
 * away; the second pass reads the run from cache.
 *
 * <p>The backward pass recomputes the normalised input from the saved input and the per-channel
 * mean and inverse deviation (in the same float arithmetic), rather than keeping a second
 * activation-sized array alive on the tape; with the ReLU it masks the incoming gradient from the
 * saved output, exactly as the separate ReLU node would.
 */
final class BatchNormFloat extends GradFn {

    private final int n;
    private final int c;
    private final int inner;
    private final boolean batchStats;
    private final boolean hasWeight;
    private final boolean hasBias;
    private final boolean hasResidual;
    private float[] mean;
    private float[] invstd;
    private float[] scale;
    /** The output, kept for the ReLU mask; null without the ReLU. */
    private Tensor out;

    private BatchNormFloat(Tensor[] inputs, int n, int c, int inner, boolean batchStats, boolean hasWeight,
                           boolean hasBias, boolean hasResidual, float[] mean, float[] invstd, float[] scale,
                           Tensor out) {
        super(out == null ? "batchNorm" : "batchNormRelu",
                out == null ? "NativeBatchNormBackward0" : "ReluBackward0", inputs);
        this.n = n;
        this.c = c;
        this.inner = inner;
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
     * The forward pass; arguments already checked by {@link BatchNorm}. {@code residual} (or null)
     * is only used with {@code relu}; {@code inputs} are the tape inputs (x, weight and bias when
     * given, then the residual when given).
     */
    static Tensor apply(Tensor x, Tensor residual, boolean relu, Tensor runningMean, Tensor runningVar,
                        Tensor weight, Tensor bias, boolean training, double momentum, double eps, Tensor[] inputs) {
        int n = x.size(0);
        int c = x.size(1);
        int inner = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
        int m = n * inner;
        float[] xs = x.f32();
        float[] rs = residual == null ? null : residual.f32();
        Tensor y = Tensor.zeros(DType.F32, x.shape());
        float[] ys = y.f32();
        // Per channel, in float as used: the mean, 1 / sqrt(var + eps), and w * that.
        float[] means = new float[c];
        float[] invstds = new float[c];
        float[] scale = new float[c];
        KernelProvider provider = Providers.provider();
        Parallel.forEach(c, ch -> {
            try (Providers.Scope s = Providers.use(provider)) {
                double mean;
                double invstd;
                if (training) {
                    // The channel's planes, copied into one contiguous run: the sums below are
                    // single fixed-order reductions, the second one reading the run from cache.
                    float[] values = scratch(0, m);
                    for (int b = 0; b < n; b++) {
                        System.arraycopy(xs, (b * c + ch) * inner, values, b * inner, inner);
                    }
                    mean = (double) Reductions.sum(values, 0, m) / m;
                    float center = (float) mean;
                    double offset = mean - center;
                    double var = Math.max(0, (double) Reductions.sumOfSquaredDeviations(values, 0, m, center) / m
                            - offset * offset);
                    invstd = 1 / Math.sqrt(var + eps);
                    if (runningMean != null) {
                        runningMean.setFlat(ch, (1 - momentum) * runningMean.getFlat(ch) + momentum * mean);
                        runningVar.setFlat(ch, (1 - momentum) * runningVar.getFlat(ch) + momentum * var * m / (m - 1));
                    }
                } else {
                    mean = runningMean.getFlat(ch);
                    invstd = 1 / Math.sqrt(runningVar.getFlat(ch) + eps);
                }
                float mu = (float) mean;
                float is = (float) invstd;
                float w = weight == null ? 1f : (float) weight.getFlat(ch);
                float b0 = bias == null ? 0f : (float) bias.getFlat(ch);
                means[ch] = mu;
                invstds[ch] = is;
                scale[ch] = w * is;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    normalise(xs, rs, relu, ys, off, off + inner, mu, is, w, b0);
                }
            }
        });
        return Tape.output(relu ? "batchNormRelu" : "batchNorm", y, () -> new BatchNormFloat(inputs, n, c, inner,
                training, weight != null, bias != null, residual != null, means, invstds, scale, relu ? y : null),
                inputs);
    }

    /**
     * {@code y = (x - mu) is w + b0}, then {@code + r} and the ReLU when asked, on
     * {@code [from, to)}. One loop per case, so that each stays a plain loop the JIT vectorises;
     * {@code Math.max(t, 0f)} is ReLU exactly (NaN stays NaN, -0 becomes +0).
     */
    private static void normalise(float[] xs, float[] rs, boolean relu, float[] ys, int from, int to, float mu,
                                  float is, float w, float b0) {
        if (!relu) {
            for (int i = from; i < to; i++) {
                float h = (xs[i] - mu) * is;
                ys[i] = h * w + b0;
            }
        } else if (rs == null) {
            for (int i = from; i < to; i++) {
                float h = (xs[i] - mu) * is;
                ys[i] = Math.max(h * w + b0, 0f);
            }
        } else {
            for (int i = from; i < to; i++) {
                float h = (xs[i] - mu) * is;
                ys[i] = Math.max(h * w + b0 + rs[i], 0f);
            }
        }
    }

    /** Floats per channel run up to which the backward's second pass reads the runs. */
    private static final int RUN_REREAD_LIMIT = 16384;

    /** Per-thread scratch: a channel's values (or gradient) and its deviations, reused across calls. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < size) {
            s[slot] = new float[size];
        }
        return s[slot];
    }

    /** Every gradient is a tensor allocated by {@link #backward}, or its owned output gradient. */
    @Override
    protected boolean returnsFreshGradients() {
        return true;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return backward(g, false);
    }

    @Override
    protected Tensor[] backward(Tensor[] g, BackwardContext context) {
        return backward(g[0], context.owns(0));
    }

    /**
     * @param ownsG whether {@code g} is this call's to overwrite ({@link BackwardContext#owns}): it then
     *              becomes the residual's gradient, else {@code dx}, instead of a new tensor
     */
    private Tensor[] backward(Tensor g, boolean ownsG) {
        float[] gs = g.f32();
        float[] xs = input(0).f32();
        float[] ys = out == null ? null : out.f32();
        float[] sumG = new float[c];
        float[] sumGx = new float[c];
        int residualSlot = inputCount() - 1;
        // The residual's gradient is the masked incoming gradient itself.
        boolean needsDr = hasResidual && needsGrad(residualSlot);
        Tensor drt = needsDr ? ownsG ? g : Tensor.zeros(DType.F32, g.shape()) : null;
        float[] dr = drt == null ? null : drt.f32();
        Tensor dxt = needsGrad(0) ? ownsG && !needsDr ? g : Tensor.zeros(DType.F32, g.shape()) : null;
        float[] dx = dxt == null ? null : dxt.f32();
        int m = n * inner;
        // With the ReLU, the incoming gradient is first masked in one pass over the whole tensor
        // (as the separate ReLU node would) into the array that needs it next: the residual's
        // gradient, else dx (then overwritten in place), else g itself when owned, else a
        // temporary array. The pass below computes dx element by element from the same index (or
        // from the channel runs), so dx may be the masked gradient's own array.
        float[] gm = gs;
        if (ys != null) {
            gm = dr != null ? dr : dx != null ? dx : ownsG ? gs : new float[gs.length];
            Elementwise.activateBackward(Activation.RELU, ys, 0, gs, 0, gm, 0, gs.length);
        }
        float[] grad = gm;
        KernelProvider provider = Providers.provider();
        Parallel.forEach(c, ch -> {
            try (Providers.Scope s = Providers.use(provider)) {
                float mu = mean[ch];
                float is = invstd[ch];
                // The channel's gradient and its x - mean deviations as contiguous runs, so that
                // each sum is one fixed-order reduction; sum(dy * xhat) = invstd * sum(dy * (x - mean)).
                float[] gc = scratch(0, m);
                float[] dev = scratch(1, m);
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    int at = b * inner;
                    System.arraycopy(grad, off, gc, at, inner);
                    for (int i = 0; i < inner; i++) {
                        dev[at + i] = (xs[off + i] - mu) * is;
                    }
                }
                double sg = Reductions.sum(gc, 0, m);
                double sgx = Reductions.dot(gc, 0, dev, 0, m);
                sumG[ch] = (float) sg;
                sumGx[ch] = (float) sgx;
                if (dx == null) {
                    return;
                }
                float k = scale[ch];
                float meanG = (float) (sg / m);
                float meanGx = (float) (sgx / m);
                // A channel's runs of up to RUN_REREAD_LIMIT floats are still in L1/L2 and are
                // read back from there; longer ones are not, and the second pass rereads the arrays
                // in place (same-index loops). Both compute k ((g - meanG) - ((x - mu) is) meanGx).
                boolean fromRuns = m <= RUN_REREAD_LIMIT;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    int at = b * inner;
                    if (!batchStats) {
                        for (int i = 0; i < inner; i++) {
                            dx[off + i] = k * gc[at + i];
                        }
                    } else if (fromRuns) {
                        for (int i = 0; i < inner; i++) {
                            dx[off + i] = k * (gc[at + i] - meanG - dev[at + i] * meanGx);
                        }
                    } else {
                        for (int i = off; i < off + inner; i++) {
                            dx[i] = k * (grad[i] - meanG - (xs[i] - mu) * is * meanGx);
                        }
                    }
                }
            }
        });
        Tensor[] grads = new Tensor[inputCount()];
        if (dx != null) {
            grads[0] = dxt;
        }
        int next = 1;
        if (hasWeight) {
            grads[next] = needsGrad(next) ? Tensor.of(sumGx, c) : null;
            next++;
        }
        if (hasBias) {
            grads[next] = needsGrad(next) ? Tensor.of(sumG, c) : null;
        }
        if (dr != null) {
            grads[residualSlot] = drt;
        }
        return grads;
    }

    @Override
    protected void release() {
        super.release();
        mean = null;
        invstd = null;
        scale = null;
        out = null;
    }
}
