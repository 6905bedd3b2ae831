package dev.lanes.serve;

import dev.lanes.kernel.internal.ArrayChecks;
import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.nn.Conv2d;
import dev.lanes.nn.models.ResNet;
import dev.lanes.tensor.Tensor;

/**
 * A frozen {@link ResNet} for serving images of one size: the network's {@link Plan}, captured
 * for one image, which sessions run image by image over batches of any size. The plan copies
 * the weights and running statistics in F32 and runs the eval-mode forward pass with the same
 * kernels as the module, so a plan is immutable and any number of threads can run
 * {@link ResNetSession}s on it at once; each session owns its buffers and a call allocates
 * nothing. Training the module afterwards does not affect the plan.
 *
 * <p>The plan computes what the module computes in eval mode, whatever mode the module is in:
 * the logits of an F32 module in eval mode bit for bit, those of an F64 module to float
 * precision. Every session's results are
 * bit-identical to every other's, on any thread.
 */
public final class ResNetPlan {

    final int channels;
    final int height;
    final int width;
    /** Floats per image, checked to fit in an array. */
    private final int imageSize;
    final int classes;
    final NonFinitePolicy policy;
    final Plan plan;

    private ResNetPlan(int channels, int height, int width, Plan plan, NonFinitePolicy policy) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.imageSize = channels * height * width;
        this.plan = plan;
        this.classes = plan.outputShape(0).size(1);
        this.policy = policy;
    }

    /**
     * Freezes a ResNet for {@code [channels, height, width]} images.
     *
     * @param net    a network from {@link dev.lanes.nn.models.ResNets} (basic or bottleneck
     *               blocks, shortcut option A or B, or plain), F32 or F64
     * @param policy what sessions do with non-finite inputs
     * @return the plan
     * @throws IllegalArgumentException when the image size does not fit the network (named) or an
     *                                  image or the first feature map would not fit in an array;
     *                                  when a parameter or buffer holds
     *                                  NaN or an infinity, a batch norm's running variance is negative
     *                                  or NaN or its eps is not positive (the tensor named by its
     *                                  state-dict name, with the first bad element)
     */
    public static ResNetPlan freeze(ResNet net, int channels, int height, int width, NonFinitePolicy policy) {
        if (net == null || policy == null) {
            throw new NullPointerException("ResNetPlan.freeze: " + (net == null ? "net" : "policy") + " is null");
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("ResNetPlan.freeze: image size must be positive, got [" + channels
                    + ", " + height + ", " + width + "]");
        }
        ArrayChecks.arrayLength("ResNetPlan.freeze", "floats per image", channels, height, width);
        Conv2d stem = net.conv1();
        if (stem.inChannels() != channels) {
            throw new IllegalArgumentException("ResNetPlan.freeze: " + net.name() + " takes " + stem.inChannels()
                    + " input channels, got images [" + channels + ", " + height + ", " + width + "]");
        }
        // The stem's output is the largest feature map: refuse one beyond an array before the
        // capture runs the network on an image.
        ConvGeometry g;
        try {
            g = ConvGeometry.of(1, channels, height, width, stem.outChannels(), stem.groups(), stem.kernelSize()[0],
                    stem.kernelSize()[1], stem.stride()[0], stem.stride()[1], stem.padding()[0], stem.padding()[1],
                    stem.dilation()[0], stem.dilation()[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ResNetPlan.freeze: conv1: " + e.getMessage(), e);
        }
        ArrayChecks.arrayLength("ResNetPlan.freeze: conv1", "floats of output", g.cOut(), g.hOut(), g.wOut());
        FreezeChecks.finite("ResNetPlan.freeze", net.stateDict(), true);
        FreezeChecks.batchNorms("ResNetPlan.freeze", "", net);
        Plan plan = Plan.capture(net, Tensor.zeros(stem.weight().tensor().dtype(), 1, channels, height, width));
        return new ResNetPlan(channels, height, width, plan, policy);
    }

    /** {@link #freeze(ResNet, int, int, int, NonFinitePolicy)} with {@link NonFinitePolicy#PROPAGATE}. */
    public static ResNetPlan freeze(ResNet net, int channels, int height, int width) {
        return freeze(net, channels, height, width, NonFinitePolicy.PROPAGATE);
    }

    /**
     * @param batch the images per call, >= 1, such that a batch of images and its logits fit in
     *              arrays ({@code batch x imageSize()} floats at most {@code Integer.MAX_VALUE - 8})
     * @return a new session with its own buffers, for one thread at a time (a second thread
     *         entering it during a call gets an {@link IllegalStateException})
     * @throws IllegalArgumentException when {@code batch} is below 1 or the batch's input or
     *                                  logits would not fit in an array (the sizes named)
     */
    public ResNetSession session(int batch) {
        return session(batch, false, "ResNetPlan.session");
    }

    /**
     * {@link #session(int)} whose calls spread each image over the library's threads, as
     * {@link Plan#parallelSession()} does (the same bits, nothing allocated per call).
     *
     * @throws IllegalArgumentException as {@link #session(int)}
     */
    public ResNetSession parallelSession(int batch) {
        return session(batch, true, "ResNetPlan.parallelSession");
    }

    private ResNetSession session(int batch, boolean parallel, String op) {
        if (batch < 1) {
            throw new IllegalArgumentException(op + ": batch must be >= 1, got " + batch);
        }
        ArrayChecks.arrayLength(op, "floats of input", batch, imageSize);
        ArrayChecks.arrayLength(op, "logits", batch, classes);
        return new ResNetSession(this, batch, parallel);
    }

    /** @return floats per image: channels x height x width */
    public int imageSize() {
        return imageSize;
    }

    /** @return the logits per image */
    public int classes() {
        return classes;
    }
}
