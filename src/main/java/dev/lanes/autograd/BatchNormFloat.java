package dev.lanes.autograd;

import dev.lanes.kernel.KernelProvider;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.Parallel;
import dev.lanes.kernel.Reductions;
import dev.lanes.tensor.GradFn;
import dev.lanes.tensor.Tensor;

/**
 * {@link BatchNorm} on F32 tensors, in float storage with the library's fixed-order vector
 * reductions. Channels are independent, so they are split across threads; each channel's sums
 * run over the images in order (a float sum per image plane, added in double), so results do not
 * depend on the thread count. The variance is two-pass: {@code sum((x - c)^2)} about the mean
 * rounded to float, {@code c}, corrected by {@code m (mean - c)^2}, so a large mean does not
 * cancel the variance away. The backward pass recomputes the normalised input from the saved
 * input and the per-channel mean and inverse deviation (in the same float arithmetic), rather
 * than keeping a second activation-sized array alive on the tape.
 */
final class BatchNormFloat extends GradFn {

    private final int n;
    private final int c;
    private final int inner;
    private final boolean batchStats;
    private final boolean hasWeight;
    private final boolean hasBias;
    private float[] mean;
    private float[] invstd;
    private float[] scale;

    private BatchNormFloat(Tensor[] inputs, int n, int c, int inner, boolean batchStats, boolean hasWeight,
                           boolean hasBias, float[] mean, float[] invstd, float[] scale) {
        super("batchNorm", "NativeBatchNormBackward0", inputs);
        this.n = n;
        this.c = c;
        this.inner = inner;
        this.batchStats = batchStats;
        this.hasWeight = hasWeight;
        this.hasBias = hasBias;
        this.mean = mean;
        this.invstd = invstd;
        this.scale = scale;
    }

    /** The forward pass; arguments already checked by {@link BatchNorm#apply}. */
    static Tensor apply(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training,
                        double momentum, double eps, Tensor[] inputs) {
        int n = x.size(0);
        int c = x.size(1);
        int inner = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
        int m = n * inner;
        float[] xs = x.f32();
        float[] ys = new float[xs.length];
        // Per channel, in float as used: the mean, 1 / sqrt(var + eps), and w * that.
        float[] means = new float[c];
        float[] invstds = new float[c];
        float[] scale = new float[c];
        KernelProvider provider = Kernels.provider();
        Parallel.forEach(c, ch -> {
            try (Kernels.Scope s = Kernels.use(provider)) {
                double mean;
                double invstd;
                if (training) {
                    double sum = 0;
                    for (int b = 0; b < n; b++) {
                        sum += Reductions.sum(xs, (b * c + ch) * inner, inner);
                    }
                    mean = sum / m;
                    float center = (float) mean;
                    double q = 0;
                    for (int b = 0; b < n; b++) {
                        q += Reductions.sumOfSquaredDeviations(xs, (b * c + ch) * inner, inner, center);
                    }
                    double offset = mean - center;
                    double var = Math.max(0, q / m - offset * offset);
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
                    for (int i = off; i < off + inner; i++) {
                        float h = (xs[i] - mu) * is;
                        ys[i] = h * w + b0;
                    }
                }
            }
        });
        Tensor y = Tensor.of(ys, x.dims());
        return Record.output("batchNorm", y, () -> new BatchNormFloat(inputs, n, c, inner, training, weight != null,
                bias != null, means, invstds, scale), inputs);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        float[] gs = g.f32();
        float[] xs = input(0).f32();
        float[] sumG = new float[c];
        float[] sumGx = new float[c];
        float[] dx = needsGrad(0) ? new float[gs.length] : null;
        int m = n * inner;
        KernelProvider provider = Kernels.provider();
        Parallel.forEach(c, ch -> {
            try (Kernels.Scope s = Kernels.use(provider)) {
                float mu = mean[ch];
                float is = invstd[ch];
                // sum(dy * xhat) = invstd * sum(dy * (x - mean)): the deviations as in forward.
                float[] dev = new float[inner];
                double sg = 0;
                double sgx = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    for (int i = 0; i < inner; i++) {
                        dev[i] = (xs[off + i] - mu) * is;
                    }
                    sg += Reductions.sum(gs, off, inner);
                    sgx += Reductions.dot(gs, off, dev, 0, inner);
                }
                sumG[ch] = (float) sg;
                sumGx[ch] = (float) sgx;
                if (dx == null) {
                    return;
                }
                float k = scale[ch];
                float meanG = (float) (sg / m);
                float meanGx = (float) (sgx / m);
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    if (batchStats) {
                        for (int i = off; i < off + inner; i++) {
                            dx[i] = k * (gs[i] - meanG - (xs[i] - mu) * is * meanGx);
                        }
                    } else {
                        for (int i = off; i < off + inner; i++) {
                            dx[i] = k * gs[i];
                        }
                    }
                }
            }
        });
        Tensor[] out = new Tensor[inputCount()];
        if (dx != null) {
            out[0] = Tensor.of(dx, g.dims());
        }
        int next = 1;
        if (hasWeight) {
            out[next] = needsGrad(next) ? Tensor.of(sumGx, c) : null;
            next++;
        }
        if (hasBias) {
            out[next] = needsGrad(next) ? Tensor.of(sumG, c) : null;
        }
        return out;
    }

    @Override
    protected void release() {
        super.release();
        mean = null;
        invstd = null;
        scale = null;
    }
}
