package dev.lanes.autograd.internal;

import dev.lanes.tensor.Tensor;

/**
 * Differentiable operations on channel-blocked activations, for models that keep their
 * activations in that layout between layers (the residual networks) and convert only at their
 * input and head. A channel-blocked tensor is an F32 tensor {@code [N, ceil(C / B), H, W, B]}:
 * blocks of {@code B} channels (the provider's vector lanes), each pixel of a block one run of
 * {@code B} floats, channels past {@code C} zero. {@code C} is not stored: each operation takes
 * it from its weights or arguments. These operations give the bits of their NCHW counterparts
 * ({@code Ops.conv2d}, {@code Ops.batchNormRelu}, {@code Ops.subsamplePadChannels},
 * {@code Ops.maxPool2d}) on the same
 * values, so a model computes the same results in either layout.
 *
 * <p>The operations live with the other tape nodes; the autograd package installs them here
 * ({@link #install}) so that they stay out of the public API.
 */
public final class ChannelBlocked {

    /** The operations; installed once by the autograd package. */
    public interface Access {
        /** @see ChannelBlocked#toBlocked */
        Tensor toBlocked(Tensor x);

        /** @see ChannelBlocked#toPlanes */
        Tensor toPlanes(Tensor x, int channels);

        /** @see ChannelBlocked#conv2d */
        Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation);

        /** @see ChannelBlocked#batchNorm */
        Tensor batchNorm(Tensor x, int channels, Tensor residual, boolean relu, Tensor runningMean, Tensor runningVar,
                         Tensor weight, Tensor bias, boolean training, double momentum, double eps);

        /** @see ChannelBlocked#subsamplePadChannels */
        Tensor subsamplePadChannels(Tensor x, int channels, int stride, int before, int after);

        /** @see ChannelBlocked#maxPool2d */
        Tensor maxPool2d(Tensor x, int channels, int[] kernel, int[] stride, int[] padding, int[] dilation,
                         boolean ceilMode);
    }

    private static final String IMPLEMENTATION = "dev.lanes.autograd.ChannelBlockedOps";
    private static volatile Access access;

    private ChannelBlocked() {
    }

    /**
     * Called once, by the implementation's static initialiser.
     *
     * @throws IllegalStateException on a second call
     */
    public static void install(Access a) {
        synchronized (ChannelBlocked.class) {
            if (access != null) {
                throw new IllegalStateException("ChannelBlocked.install: already installed");
            }
            access = a;
        }
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            try {
                Class.forName(IMPLEMENTATION, true, ChannelBlocked.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }

    /** @return the F32 NCHW tensor {@code x} in blocks of the current provider's lanes */
    public static Tensor toBlocked(Tensor x) {
        return access().toBlocked(x);
    }

    /** @return the blocked {@code x} as an NCHW tensor of its first {@code channels} channels */
    public static Tensor toPlanes(Tensor x, int channels) {
        return access().toPlanes(x, channels);
    }

    /** {@code conv2d} (one group) of the blocked {@code x} with {@code w [C_out, C_in, kH, kW]} and the optional {@code b}. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation) {
        return access().conv2d(x, w, b, stride, padding, dilation);
    }

    /**
     * {@code batchNorm}, or with {@code relu} {@code relu(batchNorm(x) + residual)}, of the
     * blocked {@code x} with {@code channels} channels; {@code residual} blocked like {@code x} or null.
     */
    public static Tensor batchNorm(Tensor x, int channels, Tensor residual, boolean relu, Tensor runningMean,
                                   Tensor runningVar, Tensor weight, Tensor bias, boolean training, double momentum,
                                   double eps) {
        return access().batchNorm(x, channels, residual, relu, runningMean, runningVar, weight, bias, training,
                momentum, eps);
    }

    /** {@code maxPool2d} of the blocked {@code x} with {@code channels} channels. */
    public static Tensor maxPool2d(Tensor x, int channels, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return access().maxPool2d(x, channels, kernel, stride, padding, dilation, ceilMode);
    }

    /** {@code subsamplePadChannels} of the blocked {@code x} with {@code channels} channels. */
    public static Tensor subsamplePadChannels(Tensor x, int channels, int stride, int before, int after) {
        return access().subsamplePadChannels(x, channels, stride, before, after);
    }
}
