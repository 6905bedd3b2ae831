package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;

/**
 * {@code torch.nn.functional.cross_entropy(logits, target)} with class indices and the mean
 * reduction: {@code -mean_i log_softmax(logits)[i, target_i]}, fused. Backward:
 * {@code (softmax(logits) - onehot(target)) * g / N}.
 */
final class CrossEntropy extends GradFn {

    private final int[] targets;
    private Tensor logProbs;

    private CrossEntropy(Tensor logits, Tensor logProbs, int[] targets) {
        super("crossEntropy", "NllLossBackward0", logits);
        this.logProbs = logProbs;
        this.targets = targets;
    }

    /**
     * @param logits  {@code [N, C]} scores, or {@code [C]} for one sample
     * @param targets N class indices in {@code [0, C)} (one for a 1-D input)
     */
    static Tensor apply(Tensor logits, int[] targets) {
        if (logits.rank() != 1 && logits.rank() != 2) {
            throw new IllegalArgumentException("crossEntropy: logits must be [N, C] or [C], got " + logits.shape());
        }
        int n = logits.rank() == 2 ? logits.size(0) : 1;
        int c = logits.size(-1);
        if (targets.length != n) {
            throw new IllegalArgumentException("crossEntropy: " + targets.length + " targets for logits of shape "
                    + logits.shape() + " (expected " + n + ")");
        }
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= c) {
                throw new IllegalArgumentException("crossEntropy: target " + targets[i] + " at position " + i
                        + " is out of range for " + c + " classes");
            }
        }
        Tensor lp = StepArena.zeros(logits.dtype(), logits.shape());
        Dispatch.softmaxRows(true, n, c, logits, lp);
        Tensor picked = StepArena.zeros(logits.dtype(), n);
        for (int i = 0; i < n; i++) {
            picked.setFlat(i, lp.getFlat(i * c + targets[i]));
        }
        Tensor loss = Tensor.scalar(logits.dtype(), -Dispatch.sum(picked, 0, n) / n);
        int[] t = targets.clone();
        return Tape.output("crossEntropy", loss, () -> new CrossEntropy(logits, lp, t), logits);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        int c = logProbs.size(-1);
        int n = targets.length;
        double scale = g.item() / n;
        Tensor dx = StepArena.zeros(logProbs.dtype(), logProbs.shape());
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                double p = Math.exp(logProbs.getFlat(i * c + j));
                dx.setFlat(i * c + j, (p - (j == targets[i] ? 1 : 0)) * scale);
            }
        }
        return new Tensor[] {dx};
    }

    @Override
    protected void release() {
        super.release();
        logProbs = null;
    }
}
