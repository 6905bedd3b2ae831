package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.autograd.internal.ChannelBlocked;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Each operation on channel-blocked activations, between a layout change in and one out, gives
 * the bits of its NCHW operation: values and every gradient (the loss {@code sum(y * g)} for a
 * random {@code g}), running statistics included, over random shapes with channel counts on both
 * sides of a block, on both providers.
 */
class ChannelBlockedProperties {

    /** Runs {@code op} on a copy of each input (the first the image) and returns y and the inputs' gradients. */
    private static float[][] run(Function<Tensor[], Tensor> op, Tensor g, Tensor... inputs) {
        Tensor[] copies = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            copies[i] = inputs[i] == null ? null : inputs[i].copy().requiresGrad(true);
        }
        Tensor y = op.apply(copies);
        Ops.sum(Ops.mul(y, g)).backward();
        float[][] out = new float[1 + inputs.length][];
        out[0] = y.toFloatArray();
        for (int i = 0; i < inputs.length; i++) {
            out[1 + i] = copies[i] == null ? null : copies[i].grad().toFloatArray();
        }
        return out;
    }

    private static void assertSame(float[][] want, float[][] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertArrayEquals(want[i], got[i], 0f, what + ", result " + i);
        }
    }

    private static Tensor randn(Random r, int... dims) {
        return Tensor.randn(new Generator(r.nextLong()), DType.F32, dims);
    }

    @Property(tries = 60)
    void convolutionHasTheBitsOfConv2d(@ForAll long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(3);
        int cIn = 1 + r.nextInt(20);
        int cOut = 1 + r.nextInt(20);
        int k = 1 + r.nextInt(3);
        int[] stride = {1 + r.nextInt(2), 1 + r.nextInt(2)};
        int[] dilation = {1 + r.nextInt(2), 1};
        int[] padding = {r.nextInt(2), r.nextInt(2)};
        int h = dilation[0] * (k - 1) + 1 + r.nextInt(8);
        int w = k + r.nextInt(20);
        Tensor x = randn(r, n, cIn, h, w);
        Tensor wt = randn(r, cOut, cIn, k, k);
        Tensor b = r.nextBoolean() ? randn(r, cOut) : null;
        int ho = (h + 2 * padding[0] - dilation[0] * (k - 1) - 1) / stride[0] + 1;
        int wo = (w + 2 * padding[1] - (k - 1) - 1) / stride[1] + 1;
        Tensor g = randn(r, n, cOut, ho, wo);
        for (Kernels.Provider p : new Kernels.Provider[] {Kernels.Provider.VECTOR, Kernels.Provider.SCALAR}) {
            try (Kernels.Scope s = Kernels.use(p)) {
                float[][] planes = run(in -> Ops.conv2d(in[0], in[1], in[2], stride, padding, dilation, 1), g, x, wt, b);
                float[][] blocked = run(in -> ChannelBlocked.toPlanes(ChannelBlocked.conv2d(ChannelBlocked.toBlocked(
                        in[0]), in[1], in[2], stride, padding, dilation), cOut), g, x, wt, b);
                assertSame(planes, blocked, "conv " + x.shape() + " -> " + cOut + " k" + k + " on " + p);
            }
        }
    }

    @Property(tries = 60)
    void batchNormHasTheBitsOfBatchNorm(@ForAll long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(3);
        int c = 1 + r.nextInt(20);
        int h = 1 + r.nextInt(6);
        int w = 2 + r.nextInt(6);
        boolean training = r.nextBoolean();
        boolean relu = r.nextBoolean();
        Tensor x = randn(r, n, c, h, w);
        Tensor res = relu && r.nextBoolean() ? randn(r, n, c, h, w) : null;
        Tensor weight = r.nextBoolean() ? randn(r, c) : null;
        Tensor bias = r.nextBoolean() ? randn(r, c) : null;
        Tensor mean = randn(r, c);
        Tensor var = Ops.add(Ops.mul(randn(r, c), randn(r, c)), 1.5).detach();
        Tensor g = randn(r, n, c, h, w);
        for (Kernels.Provider p : new Kernels.Provider[] {Kernels.Provider.VECTOR, Kernels.Provider.SCALAR}) {
            try (Kernels.Scope s = Kernels.use(p)) {
                Tensor[] stats = {mean.copy(), var.copy(), mean.copy(), var.copy()};
                float[][] planes = run(in -> relu
                        ? Ops.batchNormRelu(in[0], in[1], stats[0], stats[1], in[2], in[3], training, 0.1, 1e-5)
                        : Ops.batchNorm(in[0], stats[0], stats[1], in[2], in[3], training, 0.1, 1e-5), g, x, res,
                        weight, bias);
                float[][] blocked = run(in -> ChannelBlocked.toPlanes(ChannelBlocked.batchNorm(
                        ChannelBlocked.toBlocked(in[0]), c, in[1] == null ? null : ChannelBlocked.toBlocked(in[1]),
                        relu, stats[2], stats[3], in[2], in[3], training, 0.1, 1e-5), c), g, x, res, weight, bias);
                String what = "batch norm " + x.shape() + (training ? " training" : " eval") + (relu ? " relu" : "")
                        + " on " + p;
                assertSame(planes, blocked, what);
                assertArrayEquals(stats[0].toFloatArray(), stats[2].toFloatArray(), 0f, what + ", running mean");
                assertArrayEquals(stats[1].toFloatArray(), stats[3].toFloatArray(), 0f, what + ", running var");
            }
        }
    }

    @Property(tries = 40)
    void zeroPadShortcutHasTheBitsOfSubsamplePadChannels(@ForAll long seed) {
        Random r = new Random(seed);
        int c = 1 + r.nextInt(20);
        int stride = 1 + r.nextInt(2);
        int before = r.nextInt(10);
        int after = r.nextInt(10);
        Tensor x = randn(r, 2, c, 1 + r.nextInt(7), 1 + r.nextInt(7));
        Tensor probe = Ops.subsamplePadChannels(x, stride, before, after);
        Tensor g = randn(r, probe.shape().dims());
        float[][] planes = run(in -> Ops.subsamplePadChannels(in[0], stride, before, after), g, x);
        float[][] blocked = run(in -> ChannelBlocked.toPlanes(ChannelBlocked.subsamplePadChannels(
                ChannelBlocked.toBlocked(in[0]), c, stride, before, after), before + c + after), g, x);
        assertSame(planes, blocked, "pad " + x.shape() + " stride " + stride + " +" + before + "/" + after);
    }

    @Property(tries = 60)
    void maxPoolingHasTheBitsOfMaxPool2d(@ForAll long seed) {
        Random r = new Random(seed);
        int c = 1 + r.nextInt(20);
        int[] kernel = {1 + r.nextInt(3), 1 + r.nextInt(3)};
        int[] stride = {1 + r.nextInt(2), 1 + r.nextInt(3)};
        int[] padding = {r.nextInt(kernel[0] / 2 + 1), r.nextInt(kernel[1] / 2 + 1)};
        int[] dilation = {1 + r.nextInt(2), 1};
        boolean ceil = r.nextBoolean();
        Tensor x = randn(r, 1 + r.nextInt(3), c, dilation[0] * (kernel[0] - 1) + 1 + r.nextInt(6), kernel[1] + r.nextInt(9));
        if (r.nextBoolean()) {
            // Ties and NaNs: the first maximum, and the last NaN, win.
            float[] v = x.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextInt(5) == 0 ? Float.NaN : r.nextInt(3);
            }
            x = Tensor.of(v, x.shape().dims());
        }
        Tensor probe = Ops.maxPool2d(x, kernel, stride, padding, dilation, ceil);
        Tensor g = randn(r, probe.shape().dims());
        for (Kernels.Provider p : new Kernels.Provider[] {Kernels.Provider.VECTOR, Kernels.Provider.SCALAR}) {
            try (Kernels.Scope s = Kernels.use(p)) {
                float[][] planes = run(in -> Ops.maxPool2d(in[0], kernel, stride, padding, dilation, ceil), g, x);
                float[][] blocked = run(in -> ChannelBlocked.toPlanes(ChannelBlocked.maxPool2d(
                        ChannelBlocked.toBlocked(in[0]), c, kernel, stride, padding, dilation, ceil), c), g, x);
                assertSame(planes, blocked, "max pool " + x.shape() + " k" + kernel[0] + "x" + kernel[1] + " on " + p);
            }
        }
    }

    @Test
    void tensorsThatAreNotBlockedAreRefused() {
        Tensor planes = Tensor.zeros(DType.F32, 2, 3, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> ChannelBlocked.conv2d(planes,
                Tensor.zeros(DType.F32, 4, 3, 3, 3), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}));
        Tensor blocked = ChannelBlocked.toBlocked(planes);
        assertThrows(IllegalArgumentException.class, () -> ChannelBlocked.toPlanes(blocked, blocked.size(4) + 1));
        assertThrows(IllegalArgumentException.class, () -> ChannelBlocked.batchNorm(blocked, 3, null, false, null,
                null, Tensor.zeros(DType.F32, 4), null, true, 0.1, 1e-5));
    }
}
