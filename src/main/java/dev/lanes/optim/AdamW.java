package dev.lanes.optim;

import dev.lanes.tensor.Tensor;
import java.util.List;

/** {@code torch.optim.AdamW}: Adam with decoupled weight decay (default 1e-2); see {@link Adam}. */
public final class AdamW extends Adam {

    /** @throws IllegalArgumentException for betas outside [0, 1) or negative values */
    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean amsgrad) {
        super("AdamW", params, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
    }

    /** With PyTorch's defaults and the given learning rate. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 1e-2, false);
    }
}
