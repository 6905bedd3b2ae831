package dev.lanes.serve;

import dev.lanes.kernel.Blas;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.SessionGuard;

/**
 * A fixed batch of images on a {@link ResNetPlan}: {@link #run(float[])} maps NCHW images to
 * logits, one image after another on the calling thread, and allocates nothing.
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
    private float[] current;
    private float[] next;
    private final float[] inner;
    private final float[] inner2;
    private final float[] shortcut;
    private final float[][] scratch;
    private final float[] pooled;
    private final Runnable body = this::forwardAll;
    private final SessionGuard guard = new SessionGuard("plan.session(...)");
    private float[] images;

    ResNetSession(ResNetPlan plan, int batch) {
        this.plan = plan;
        this.batch = batch;
        int act = plan.activationSize;
        this.logits = new float[batch * plan.classes];
        this.current = new float[act];
        this.next = new float[act];
        this.inner = new float[act];
        this.inner2 = new float[act];
        this.shortcut = new float[act];
        this.scratch = new float[][] {new float[plan.scratchSizes[0]], new float[plan.scratchSizes[1]]};
        this.pooled = new float[plan.features];
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
        this.images = images;
        try {
            Parallel.serially(body);
        } finally {
            this.images = null;
        }
    }

    /** @return the batch size */
    public int batch() {
        return batch;
    }

    private void forwardAll() {
        for (int n = 0; n < batch; n++) {
            forward(n);
        }
    }

    private void forward(int n) {
        plan.stem.run(images, n * plan.imageSize(), current, 0, scratch, true, null, 0, null);
        if (plan.maxPool != null) {
            plan.maxPool.run(current, next);
            swap();
        }
        for (FrozenBlock b : plan.blocks) {
            FrozenConv[] c = b.convs;
            c[0].run(current, 0, inner, 0, scratch, true, null, 0, null);
            float[] last = inner;
            if (c.length == 3) {
                c[1].run(inner, 0, inner2, 0, scratch, true, null, 0, null);
                last = inner2;
            }
            float[] r = null;
            if (b.residual) {
                r = current;
                if (b.projection != null) {
                    b.projection.run(current, 0, shortcut, 0, scratch, false, null, 0, null);
                    r = shortcut;
                }
            }
            c[c.length - 1].run(last, 0, next, 0, scratch, true, r, 0, b.zeroPad);
            swap();
        }
        int l = plan.finalArea;
        for (int c = 0; c < plan.features; c++) {
            double s = 0;
            for (int i = c * l; i < (c + 1) * l; i++) {
                s += current[i];
            }
            pooled[c] = (float) (s / l);
        }
        int out = n * plan.classes;
        System.arraycopy(plan.fcBias, 0, logits, out, plan.classes);
        Blas.sgemm(false, true, 1, plan.classes, plan.features, 1f, pooled, 0, plan.features, plan.fcWeight, 0,
                plan.features, 1f, logits, out, plan.classes);
    }

    private void swap() {
        float[] t = current;
        current = next;
        next = t;
    }
}
