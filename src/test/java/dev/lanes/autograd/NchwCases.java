package dev.lanes.autograd;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.List;
import java.util.Random;

/**
 * Batch norm (training and evaluation, alone and fused with a residual and ReLU) and the three
 * poolings as random test cases over tiny
 * NCHW shapes with sizes 1 and small primes; max pooling gets well-separated values so no
 * finite-difference step changes the arg max.
 */
final class NchwCases {

    private static final int[] SIZES = {1, 2, 3, 5};

    private NchwCases() {
    }

    static List<OpCases.Case> all() {
        return List.of(
                new OpCases.Case("batchNormTrain", r -> batchNorm(r, true)),
                new OpCases.Case("batchNormEval", r -> batchNorm(r, false)),
                new OpCases.Case("batchNormReluTrain", r -> batchNormRelu(r, true)),
                new OpCases.Case("batchNormReluEval", r -> batchNormRelu(r, false)),
                new OpCases.Case("maxPool2d", NchwCases::maxPool),
                new OpCases.Case("avgPool2d", NchwCases::avgPool),
                new OpCases.Case("adaptiveAvgPool2d", NchwCases::adaptive));
    }

    static int size(Random r) {
        return SIZES[r.nextInt(SIZES.length)];
    }

    static Tensor uniform(Random r, double lo, double hi, int... dims) {
        Tensor t = Tensor.zeros(DType.F64, dims);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, lo + (hi - lo) * r.nextDouble());
        }
        return t;
    }

    private static OpCases.Instance batchNorm(Random r, boolean training) {
        // [N, C], [N, C, L] or [N, C, H, W], as torch.nn.functional.batch_norm takes.
        int rank = 2 + r.nextInt(3);
        int[] dims = new int[rank];
        int perChannel = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = size(r);
            perChannel *= i == 1 ? 1 : dims[i];
        }
        if (perChannel < 2) {
            dims[0] = 2;
        }
        int c = dims[1];
        Tensor x = spreadChannels(r, dims).requiresGrad(true);
        Tensor weight = uniform(r, 0.5, 1.5, c).requiresGrad(true);
        Tensor bias = uniform(r, -1, 1, c).requiresGrad(true);
        Tensor rm = uniform(r, -0.5, 0.5, c);
        Tensor rv = uniform(r, 0.5, 2, c);
        double momentum = r.nextDouble();
        return new OpCases.Instance(training ? "batchNormTrain" : "batchNormEval", new Tensor[] {x, weight, bias},
                in -> Ops.batchNorm(in[0], rm.to(in[0].dtype()).copy(), rv.to(in[0].dtype()).copy(), in[1], in[2],
                        training, momentum, 1e-5), false);
    }

    /**
     * Uniform values in [-2, 2] whose every channel has a variance of at least 0.05. A channel of
     * nearly equal values has a variance near eps, where the batch norm's gradient magnifies the
     * float rounding of its mean by up to {@code invstd / (1 - xhat^2)}: an F32 run cannot match
     * F64 there, whatever the arithmetic, so F32 vs F64 would measure the case, not the code.
     * (The F64 gradient check has no such limit; these cases are just as valid for it.)
     */
    static Tensor spreadChannels(Random r, int... dims) {
        int c = dims[1];
        int n = dims[0];
        int inner = 1;
        for (int i = 2; i < dims.length; i++) {
            inner *= dims[i];
        }
        while (true) {
            Tensor x = uniform(r, -2, 2, dims);
            double[] v = x.toDoubleArray();
            boolean spread = true;
            for (int ch = 0; ch < c && spread; ch++) {
                double sum = 0;
                double sq = 0;
                for (int b = 0; b < n; b++) {
                    for (int i = 0; i < inner; i++) {
                        double e = v[(b * c + ch) * inner + i];
                        sum += e;
                        sq += e * e;
                    }
                }
                double mean = sum / (n * inner);
                spread = sq / (n * inner) - mean * mean >= 0.05;
            }
            if (spread) {
                return x;
            }
        }
    }

    /** {@code relu(batchNorm(x) + residual)} on [N, C, H, W], with a residual half of the time. */
    private static OpCases.Instance batchNormRelu(Random r, boolean training) {
        int n = size(r) + 1;
        int c = size(r);
        int h = size(r);
        int w = size(r);
        boolean residual = r.nextBoolean();
        Tensor x = spreadChannels(r, n, c, h, w).requiresGrad(true);
        Tensor weight = uniform(r, 0.5, 1.5, c).requiresGrad(true);
        Tensor bias = uniform(r, -1, 1, c).requiresGrad(true);
        Tensor skip = uniform(r, -1, 1, n, c, h, w).requiresGrad(true);
        Tensor rm = uniform(r, -0.5, 0.5, c);
        Tensor rv = uniform(r, 0.5, 2, c);
        double momentum = r.nextDouble();
        Tensor[] inputs = residual ? new Tensor[] {x, weight, bias, skip} : new Tensor[] {x, weight, bias};
        return new OpCases.Instance((training ? "batchNormReluTrain" : "batchNormReluEval")
                + (residual ? " with residual" : ""), inputs,
                in -> Ops.batchNormRelu(in[0], residual ? in[3] : null, rm.to(in[0].dtype()).copy(),
                        rv.to(in[0].dtype()).copy(), in[1], in[2], training, momentum, 1e-5), false);
    }

    /** Distinct values in random order, 0.1 apart, so finite differences never change the arg max. */
    static Tensor distinct(Random r, int... dims) {
        Tensor t = Tensor.zeros(DType.F64, dims);
        int n = t.numel();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int i = 0; i < n; i++) {
            t.setFlat(i, (perm[i] - n / 2.0) * 0.1);
        }
        return t;
    }

    /** A random window geometry that gives a non-empty output for an {@code h x w} plane. */
    record Window(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceil) {
    }

    static Window window(Random r, int h, int w, boolean dilated) {
        while (true) {
            int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)};
            int[] s = {1 + r.nextInt(3), 1 + r.nextInt(3)};
            int[] p = {r.nextInt(k[0] / 2 + 1), r.nextInt(k[1] / 2 + 1)};
            int[] d = dilated ? new int[] {1 + r.nextInt(2), 1 + r.nextInt(2)} : new int[] {1, 1};
            boolean ceil = r.nextBoolean();
            if (NchwChecks.pooledSize(h, k[0], p[0], s[0], d[0], ceil) >= 1
                    && NchwChecks.pooledSize(w, k[1], p[1], s[1], d[1], ceil) >= 1) {
                return new Window(k, s, p, d, ceil);
            }
        }
    }

    private static OpCases.Instance maxPool(Random r) {
        int[] dims = {size(r), size(r), size(r) + 1, size(r) + 1};
        Window g = window(r, dims[2], dims[3], true);
        Tensor x = distinct(r, dims).requiresGrad(true);
        return new OpCases.Instance("maxPool2d k" + NchwChecks.pair(g.kernel()) + " s" + NchwChecks.pair(g.stride()) + " p"
                + NchwChecks.pair(g.padding()) + " d" + NchwChecks.pair(g.dilation()) + " ceil " + g.ceil(), new Tensor[] {x},
                in -> Ops.maxPool2d(in[0], g.kernel(), g.stride(), g.padding(), g.dilation(), g.ceil()), false);
    }

    private static OpCases.Instance avgPool(Random r) {
        int[] dims = {size(r), size(r), size(r) + 1, size(r) + 1};
        Window g = window(r, dims[2], dims[3], false);
        boolean include = r.nextBoolean();
        Tensor x = uniform(r, -2, 2, dims).requiresGrad(true);
        return new OpCases.Instance("avgPool2d k" + NchwChecks.pair(g.kernel()) + " s" + NchwChecks.pair(g.stride()) + " p"
                + NchwChecks.pair(g.padding()) + " ceil " + g.ceil() + " includePad " + include, new Tensor[] {x},
                in -> Ops.avgPool2d(in[0], g.kernel(), g.stride(), g.padding(), g.ceil(), include), false);
    }

    private static OpCases.Instance adaptive(Random r) {
        int[] dims = {size(r), size(r), size(r) + 1, size(r) + 1};
        int[] out = {1 + r.nextInt(5), 1 + r.nextInt(5)};
        Tensor x = uniform(r, -2, 2, dims).requiresGrad(true);
        return new OpCases.Instance("adaptiveAvgPool2d out" + NchwChecks.pair(out), new Tensor[] {x},
                in -> Ops.adaptiveAvgPool2d(in[0], out), false);
    }
}
