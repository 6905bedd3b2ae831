package dev.lanes.tensor.internal;

/**
 * Per-thread autograd switches: whether operations record the tape (off inside a no-grad scope),
 * and whether anomaly detection is on (off by default). The scopes themselves live in
 * {@code dev.lanes.autograd}.
 */
public final class GradMode {

    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static volatile boolean anomaly;

    private GradMode() {
    }

    /** @return whether operations on this thread record the tape */
    public static boolean enabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** Enters a no-grad region on this thread (nests). */
    public static void enterNoGrad() {
        NO_GRAD_DEPTH.get()[0]++;
    }

    /** Leaves a no-grad region on this thread. */
    public static void exitNoGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        if (depth[0] == 0) {
            throw new IllegalStateException("NoGrad: exit without a matching enter");
        }
        depth[0]--;
    }

    /** @return whether anomaly detection is on */
    public static boolean anomalyDetection() {
        return anomaly;
    }

    /**
     * Turns anomaly detection on or off for all threads: when on, an operation whose forward
     * output or backward gradient contains NaN or Inf throws, naming the operation.
     */
    public static void setAnomalyDetection(boolean on) {
        anomaly = on;
    }
}
