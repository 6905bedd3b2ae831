package dev.lanes.serve;

import dev.lanes.kernel.internal.SessionGuard;

/**
 * A fixed batch of images on a {@link ResNetPlan}: {@link #run(float[])} maps NCHW images to
 * logits, one image after another through the plan on the calling thread, and allocates nothing.
 *
 * <p>Not thread-safe: one session per thread; sessions of one plan are independent. A call
 * that starts while another thread's call is running on the same session is refused with an
 * {@link IllegalStateException} (the running call is not disturbed), rather than mixing the two
 * requests' activations. A session may pass from thread to thread between calls, as in a pool
 * of sessions; since {@link #run(float[])} returns the session's own array, a caller that hands
 * the session on before reading its logits should use {@link #run(float[], float[])}.
 */
public final class ResNetSession {

    private final ResNetPlan plan;
    private final int batch;
    private final float[] logits;
    /** The plan for one image, run image by image. */
    private final PlanSession image;
    private final SessionGuard guard = new SessionGuard("plan.session(...)");

    ResNetSession(ResNetPlan plan, int batch, boolean parallel) {
        this.plan = plan;
        this.batch = batch;
        this.logits = new float[batch * plan.classes];
        this.image = parallel ? plan.plan.parallelSession() : plan.plan.session();
    }

    /**
     * Classifies a batch.
     *
     * @param images {@code batch x channels x height x width} floats, NCHW
     * @return the logits, {@code batch x classes} floats (the session's own array, overwritten
     *         by the next call)
     * @throws IllegalArgumentException when {@code images} has the wrong length (both sizes named),
     *                                  or holds NaN or an infinity under {@link NonFinitePolicy#REJECT}
     * @throws IllegalStateException    when another thread is running a call on this session
     */
    public float[] run(float[] images) {
        guard.enter("ResNetSession.run");
        try {
            classify(images);
            return logits;
        } finally {
            guard.exit();
        }
    }

    /**
     * Classifies a batch into the caller's array: the logits are copied into {@code out} before
     * the call ends, so they stay valid whatever the session does next (another call, on this
     * thread or another). Allocates nothing.
     *
     * @param images {@code batch x channels x height x width} floats, NCHW
     * @param out    receives the logits, {@code batch x classes} floats
     * @return {@code out}
     * @throws IllegalArgumentException when {@code images} or {@code out} has the wrong length
     *                                  (both sizes named), or {@code images} holds NaN or an infinity
     *                                  under {@link NonFinitePolicy#REJECT}
     * @throws IllegalStateException    when another thread is running a call on this session
     */
    public float[] run(float[] images, float[] out) {
        guard.enter("ResNetSession.run");
        try {
            if (out == null) {
                throw new NullPointerException("ResNetSession.run: out is null");
            }
            if (out.length != logits.length) {
                throw new IllegalArgumentException("ResNetSession.run: out must hold " + logits.length + " logits ["
                        + batch + ", " + plan.classes + "], got " + out.length);
            }
            classify(images);
            System.arraycopy(logits, 0, out, 0, logits.length);
            return out;
        } finally {
            guard.exit();
        }
    }

    private void classify(float[] images) {
        if (images == null) {
            throw new NullPointerException("ResNetSession.run: images is null");
        }
        int size = plan.imageSize();
        if (images.length != batch * size) {
            throw new IllegalArgumentException("ResNetSession.run: expected " + batch * size + " floats [" + batch
                    + ", " + plan.channels + ", " + plan.height + ", " + plan.width + "], got " + images.length);
        }
        if (plan.policy == NonFinitePolicy.REJECT) {
            for (int i = 0; i < images.length; i++) {
                if (!Float.isFinite(images[i])) {
                    int img = i / size;
                    int rest = i % size;
                    int hw = plan.height * plan.width;
                    throw new IllegalArgumentException("ResNetSession.run: input element " + i + " (image " + img
                            + ", channel " + rest / hw + ", row " + rest % hw / plan.width + ", column "
                            + rest % plan.width + ") is " + images[i] + "; this plan rejects non-finite inputs");
                }
            }
        }
        for (int n = 0; n < batch; n++) {
            System.arraycopy(image.runAt(images, n * size), 0, logits, n * plan.classes, plan.classes);
        }
    }

    /** @return the batch size */
    public int batch() {
        return batch;
    }
}
