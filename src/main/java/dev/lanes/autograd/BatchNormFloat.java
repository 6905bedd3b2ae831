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
 * cancel the variance away. The normalised input is kept (in float) for the backward pass.
 */
final class BatchNormFloat extends GradFn {

    private final int n;
    private final int c;
    private final int inner;
    private final boolean batchStats;
    private final boolean hasWeight;
    private final boolean hasBias;
    private float[] xhat;
    private float[] scale;

    private BatchNormFloat(Tensor[] inputs, int n, int c, int inner, boolean batchStats, boolean hasWeight,
                           boolean hasBias, float[] xhat, float[] scale) {
        super("batchNorm", "NativeBatchNormBackward0", inputs);
        this.n = n;
        this.c = c;
        this.inner = inner;
        this.batchStats = batchStats;
        this.hasWeight = hasWeight;
        this.hasBias = hasBias;
        this.xhat = xhat;
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
        boolean record = Record.needed(inputs);
        float[] xhat = record ? new float[xs.length] : null;
        // w * invstd per channel, which the backward pass scales by.
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
                scale[ch] = w * is;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    for (int i = off; i < off + inner; i++) {
                        float h = (xs[i] - mu) * is;
                        ys[i] = h * w + b0;
                    }
                    if (xhat != null) {
                        for (int i = off; i < off + inner; i++) {
                            xhat[i] = (xs[i] - mu) * is;
                        }
                    }
                }
            }
        });
        Tensor y = Tensor.of(ys, x.dims());
        return Record.output("batchNorm", y, () -> new BatchNormFloat(inputs, n, c, inner, training, weight != null,
                bias != null, xhat, scale), inputs);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        float[] gs = g.f32();
        float[] sumG = new float[c];
        float[] sumGx = new float[c];
        float[] dx = needsGrad(0) ? new float[gs.length] : null;
        int m = n * inner;
        KernelProvider provider = Kernels.provider();
        Parallel.forEach(c, ch -> {
            try (Kernels.Scope s = Kernels.use(provider)) {
                double sg = 0;
                double sgx = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    sg += Reductions.sum(gs, off, inner);
                    sgx += Reductions.dot(gs, off, xhat, off, inner);
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
                            dx[i] = k * (gs[i] - meanG - xhat[i] * meanGx);
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
        xhat = null;
        scale = null;
    }
}
