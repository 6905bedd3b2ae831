package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;

/** Loss functions with PyTorch's definitions and the mean reduction. */
public final class Losses {

    private Losses() {
    }

    /**
     * Cross entropy of class scores against class indices:
     * {@code -mean_i log_softmax(logits)[i, target_i]}, as
     * {@code torch.nn.functional.cross_entropy(logits, target)}.
     *
     * @param logits       {@code [N, C]} unnormalised scores, or {@code [C]} for one sample
     * @param classIndices N class indices in {@code [0, C)}
     * @return a scalar
     */
    public static Tensor crossEntropy(Tensor logits, int... classIndices) {
        return CrossEntropy.apply(logits, classIndices);
    }

    /**
     * Mean squared error {@code mean((input - target)^2)}, as
     * {@code torch.nn.functional.mse_loss}; shapes must be equal.
     *
     * @return a scalar
     */
    public static Tensor mse(Tensor input, Tensor target) {
        return Mse.apply(input, target);
    }
}
