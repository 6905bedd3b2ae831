package dev.lanes.autograd;

import dev.lanes.tensor.internal.GradMode;

/**
 * Anomaly detection, off by default and global: while on, an operation whose forward output, or
 * a backward step whose gradient, contains NaN or Inf throws an {@link ArithmeticException}
 * naming the operation. Costs one pass over every tensor produced. Use as a scope:
 * {@code try (AnomalyMode a = AnomalyMode.enable()) { ... }}.
 */
public final class AnomalyMode implements AutoCloseable {

    private final boolean previous;

    private AnomalyMode() {
        previous = GradMode.anomalyDetection();
        GradMode.setAnomalyDetection(true);
    }

    /** @return a scope with anomaly detection on, restoring the previous setting when closed */
    public static AnomalyMode enable() {
        return new AnomalyMode();
    }

    /** @return whether anomaly detection is on */
    public static boolean enabled() {
        return GradMode.anomalyDetection();
    }

    @Override
    public void close() {
        GradMode.setAnomalyDetection(previous);
    }
}
