package dev.lanes.examples;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/**
 * Cross entropy over padded target sequences, as PyTorch's
 * {@code cross_entropy(logits, target, ignore_index=pad)}: the mean of
 * {@code -log_softmax(logits)[i, target_i]} over the rows whose target is not the padding id.
 * Composed from differentiable operations: the log-probabilities are multiplied by a constant
 * mask holding {@code 1 / count} at each kept row's target, then summed.
 */
final class MaskedCrossEntropy {

    private MaskedCrossEntropy() {
    }

    /**
     * @param logits  {@code [N, C]} scores
     * @param targets N class ids in {@code [0, C)}; rows with {@code ignore} do not count
     * @param ignore  the id to leave out (padding)
     * @return a scalar, differentiable with respect to {@code logits}
     */
    static Tensor apply(Tensor logits, int[] targets, int ignore) {
        if (logits.rank() != 2 || logits.size(0) != targets.length) {
            throw new IllegalArgumentException("maskedCrossEntropy: logits " + logits.shape() + " do not match "
                    + targets.length + " targets (expected [N, C])");
        }
        int classes = logits.size(1);
        int kept = 0;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != ignore) {
                if (targets[i] < 0 || targets[i] >= classes) {
                    throw new IllegalArgumentException("maskedCrossEntropy: target " + targets[i] + " at row " + i
                            + " is out of range for " + classes + " classes");
                }
                kept++;
            }
        }
        if (kept == 0) {
            throw new IllegalArgumentException("maskedCrossEntropy: every target is the ignored id " + ignore);
        }
        Tensor weights = Tensor.zeros(logits.dtype(), targets.length, classes);
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != ignore) {
                weights.setFlat(i * classes + targets[i], 1.0 / kept);
            }
        }
        return Ops.neg(Ops.sum(Ops.mul(Ops.logSoftmax(logits, 1), weights)));
    }
}
