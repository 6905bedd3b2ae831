package dev.lanes.autograd;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code torch.nn.functional.batch_norm} over an input {@code [N, C, *]}, as one tape node. In
 * training mode each channel is normalised with the batch mean and the biased variance, and the
 * running statistics (when given) become {@code (1 - momentum) running + momentum stat}, with the
 * unbiased variance. In evaluation mode the running statistics are used. Backward in training
 * mode goes through the batch statistics in closed form,
 * {@code dx = w invstd / M (M dy - sum dy - xhat sum(dy xhat))}; in evaluation mode it is the
 * affine map {@code dx = w invstd dy}. In F64, reductions run in one fixed order, on one thread,
 * in double; F32 tensors go through {@link BatchNormFloat} (float storage, vector reductions,
 * channels across threads).
 */
final class BatchNorm extends GradFn {

    private final int n;
    private final int c;
    private final int inner;
    private final boolean batchStats;
    private final boolean hasWeight;
    private final boolean hasBias;
    private double[] xhat;
    private double[] invstd;
    private double[] w;

    private BatchNorm(Tensor[] inputs, int n, int c, int inner, boolean batchStats, boolean hasWeight,
                      boolean hasBias, double[] xhat, double[] invstd, double[] w) {
        super("batchNorm", "NativeBatchNormBackward0", inputs);
        this.n = n;
        this.c = c;
        this.inner = inner;
        this.batchStats = batchStats;
        this.hasWeight = hasWeight;
        this.hasBias = hasBias;
        this.xhat = xhat;
        this.invstd = invstd;
        this.w = w;
    }

    static Tensor apply(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                        boolean training, double momentum, double eps) {
        String op = "batchNorm";
        check(op, x, runningMean, runningVar, weight, bias, training, eps);
        if (x.dtype() == DType.F32) {
            return BatchNormFloat.apply(x, null, false, runningMean, runningVar, weight, bias, training, momentum, eps,
                    inputs(x, weight, bias));
        }
        int n = x.size(0);
        int c = x.size(1);
        int inner = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
        int m = n * inner;
        double[] xs = x.toDoubleArray();
        double[] mean = new double[c];
        double[] invstd = new double[c];
        if (training) {
            double[] var = new double[c];
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    for (int i = 0; i < inner; i++) {
                        s += xs[off + i];
                    }
                }
                mean[ch] = s / m;
                double q = 0;
                for (int b = 0; b < n; b++) {
                    int off = (b * c + ch) * inner;
                    for (int i = 0; i < inner; i++) {
                        double d = xs[off + i] - mean[ch];
                        q += d * d;
                    }
                }
                var[ch] = q / m;
                invstd[ch] = 1 / Math.sqrt(var[ch] + eps);
            }
            if (runningMean != null) {
                for (int ch = 0; ch < c; ch++) {
                    runningMean.setFlat(ch, (1 - momentum) * runningMean.getFlat(ch) + momentum * mean[ch]);
                    runningVar.setFlat(ch, (1 - momentum) * runningVar.getFlat(ch)
                            + momentum * var[ch] * m / (m - 1));
                }
            }
        } else {
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = runningMean.getFlat(ch);
                invstd[ch] = 1 / Math.sqrt(runningVar.getFlat(ch) + eps);
            }
        }
        double[] w = new double[c];
        double[] b0 = new double[c];
        for (int ch = 0; ch < c; ch++) {
            w[ch] = weight == null ? 1 : weight.getFlat(ch);
            b0[ch] = bias == null ? 0 : bias.getFlat(ch);
        }
        double[] xhat = new double[xs.length];
        double[] ys = new double[xs.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int off = (b * c + ch) * inner;
                for (int i = 0; i < inner; i++) {
                    xhat[off + i] = (xs[off + i] - mean[ch]) * invstd[ch];
                    ys[off + i] = xhat[off + i] * w[ch] + b0[ch];
                }
            }
        }
        Tensor y = NchwChecks.tensor(x.dtype(), ys, x.dims());
        Tensor[] inputs = inputs(x, weight, bias);
        return Tape.output(op, y, () -> new BatchNorm(inputs, n, c, inner, training, weight != null, bias != null,
                xhat, invstd, w), inputs);
    }

    /**
     * {@code relu(batchNorm(x) + residual)} ({@code residual} may be null) as one node in F32:
     * the normalisation, the addition and the ReLU run in one pass over the data forward, and the
     * node's backward masks the gradient once, straight into the residual's gradient or dx, so
     * neither the sum nor the pre-activation is stored. The values and gradients are the bits of
     * the three separate ops. F64 tensors run the three ops.
     */
    static Tensor applyRelu(Tensor x, Tensor residual, Tensor runningMean, Tensor runningVar, Tensor weight,
                            Tensor bias, boolean training, double momentum, double eps) {
        String op = "batchNormRelu";
        check(op, x, runningMean, runningVar, weight, bias, training, eps);
        if (residual != null && (!residual.shape().equals(x.shape()) || residual.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": the residual must have the input's shape " + x.shape()
                    + " and dtype " + x.dtype() + ", but got " + residual.shape() + " " + residual.dtype());
        }
        if (x.dtype() == DType.F32) {
            Tensor[] in = inputs(x, weight, bias);
            if (residual != null) {
                in = Arrays.copyOf(in, in.length + 1);
                in[in.length - 1] = residual;
            }
            return BatchNormFloat.apply(x, residual, true, runningMean, runningVar, weight, bias, training, momentum,
                    eps, in);
        }
        Tensor y = apply(x, runningMean, runningVar, weight, bias, training, momentum, eps);
        return Ops.relu(residual == null ? y : Ops.add(y, residual));
    }

    /** PyTorch's argument checks of {@code batch_norm}, with {@code op} naming the caller. */
    private static void check(String op, Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                              boolean training, double eps) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": expected an input [N, C, *] of rank >= 2, but got shape "
                    + x.shape());
        }
        int n = x.size(0);
        int c = x.size(1);
        int inner = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
        checkChannels(op, "running_mean", runningMean, x, c);
        checkChannels(op, "running_var", runningVar, x, c);
        checkChannels(op, "weight", weight, x, c);
        checkChannels(op, "bias", bias, x, c);
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(op + ": running_mean and running_var must both be given or both be null");
        }
        if (!training && runningMean == null) {
            throw new IllegalArgumentException(op + ": evaluation mode needs running_mean and running_var");
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(op + ": eps must be > 0, got " + eps);
        }
        int m = n * inner;
        if (training && m <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input"
                    + " shape " + x.shape());
        }
    }

    /** The tape inputs: x, then the weight and the bias when given. */
    private static Tensor[] inputs(Tensor x, Tensor weight, Tensor bias) {
        List<Tensor> in = new ArrayList<>();
        in.add(x);
        if (weight != null) {
            in.add(weight);
        }
        if (bias != null) {
            in.add(bias);
        }
        return in.toArray(new Tensor[0]);
    }

    private static void checkChannels(String op, String name, Tensor t, Tensor x, int c) {
        if (t == null) {
            return;
        }
        if (t.rank() != 1 || t.size(0) != c) {
            throw new IllegalArgumentException(op + ": " + name + " should have shape [" + c + "] for an input of shape "
                    + x.shape() + ", but got " + t.shape());
        }
        if (t.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " is " + t.dtype() + " but the input is " + x.dtype());
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        double[] gs = g.toDoubleArray();
        double[] sumG = new double[c];
        double[] sumGx = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            double sx = 0;
            for (int b = 0; b < n; b++) {
                int off = (b * c + ch) * inner;
                for (int i = 0; i < inner; i++) {
                    s += gs[off + i];
                    sx += gs[off + i] * xhat[off + i];
                }
            }
            sumG[ch] = s;
            sumGx[ch] = sx;
        }
        Tensor[] out = new Tensor[inputCount()];
        if (needsGrad(0)) {
            double[] dx = new double[gs.length];
            int m = n * inner;
            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    int off = (b * c + ch) * inner;
                    double k = w[ch] * invstd[ch];
                    for (int i = 0; i < inner; i++) {
                        dx[off + i] = batchStats
                                ? k / m * (m * gs[off + i] - sumG[ch] - xhat[off + i] * sumGx[ch])
                                : k * gs[off + i];
                    }
                }
            }
            out[0] = NchwChecks.tensor(g.dtype(), dx, g.dims());
        }
        int next = 1;
        if (hasWeight) {
            out[next] = needsGrad(next) ? NchwChecks.tensor(g.dtype(), sumGx, c) : null;
            next++;
        }
        if (hasBias) {
            out[next] = needsGrad(next) ? NchwChecks.tensor(g.dtype(), sumG, c) : null;
        }
        return out;
    }

    @Override
    protected void release() {
        super.release();
        xhat = null;
        invstd = null;
        w = null;
    }
}
