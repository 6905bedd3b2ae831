package dev.lanes.tensor.internal;

import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch norm's running statistics: the update formulas, written once, and a per-thread log that
 * records the updates instead of applying them, to be replayed later in another order. Data-
 * parallel training uses the log: each rank records its shards' batch statistics, and the
 * updates are then replayed rank after rank in shard order, giving the running statistics a
 * single process gets running every shard in turn.
 */
public final class RunningStatistics {

    private static final ThreadLocal<List<Update>> LOG = new ThreadLocal<>();

    private RunningStatistics() {
    }

    /** @return the running mean after a batch: {@code (1 - momentum) running + momentum mean} */
    public static double mean(double running, double batchMean, double momentum) {
        return (1 - momentum) * running + momentum * batchMean;
    }

    /**
     * @return the running variance after a batch of {@code count} values per channel, updated
     *         with the unbiased batch variance, as PyTorch does
     */
    public static double variance(double running, double batchVariance, int count, double momentum) {
        return (1 - momentum) * running + momentum * batchVariance * count / (count - 1);
    }

    /**
     * One batch's update of one layer's running statistics.
     *
     * @param runningMean     the layer's running mean
     * @param runningVariance the layer's running variance
     * @param means           the batch mean per channel
     * @param variances       the biased batch variance per channel
     * @param count           values per channel in the batch
     * @param momentum        the layer's momentum
     */
    public record Update(Tensor runningMean, Tensor runningVariance, double[] means, double[] variances, int count,
                         double momentum) {

        /** Applies the update (each value rounded to the tensors' dtype on storing). */
        public void apply() {
            for (int ch = 0; ch < means.length; ch++) {
                runningMean.setFlat(ch, mean(runningMean.getFlat(ch), means[ch], momentum));
                runningVariance.setFlat(ch, variance(runningVariance.getFlat(ch), variances[ch], count, momentum));
            }
        }
    }

    /**
     * Starts recording on the calling thread: batch norm layers in training mode then leave their
     * running statistics alone and log their updates here instead.
     *
     * @throws IllegalStateException when the thread is already recording
     */
    public static void startRecording() {
        if (LOG.get() != null) {
            throw new IllegalStateException("RunningStatistics: already recording on this thread");
        }
        LOG.set(new ArrayList<>());
    }

    /** @return whether the calling thread is recording */
    public static boolean recording() {
        return LOG.get() != null;
    }

    /**
     * Logs an update on the calling thread's recording.
     *
     * @throws IllegalStateException when the thread is not recording
     */
    public static void record(Update u) {
        List<Update> log = LOG.get();
        if (log == null) {
            throw new IllegalStateException("RunningStatistics: not recording on this thread");
        }
        log.add(u);
    }

    /** Ends the calling thread's recording; returns its updates in the order they were logged. */
    public static List<Update> stopRecording() {
        List<Update> log = LOG.get();
        LOG.remove();
        return log == null ? List.of() : log;
    }
}
