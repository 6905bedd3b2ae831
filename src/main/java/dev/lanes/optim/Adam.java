package dev.lanes.optim;

import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.optim.Adam} and, with decoupled weight decay, {@code torch.optim.AdamW}:
 * {@code m = beta1 m + (1 - beta1) d}, {@code v = beta2 v + (1 - beta2) d^2} (with amsgrad the
 * running maximum of v is used), {@code p -= lr / (1 - beta1^t) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}.
 * Adam adds {@code weightDecay p} to the gradient; AdamW multiplies {@code p} by
 * {@code 1 - lr weightDecay} first. Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
 * weight_decay 0 (Adam) or 1e-2 (AdamW), amsgrad false.
 */
public class Adam extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final boolean decoupled;

    Adam(String name, List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
         boolean amsgrad, boolean decoupled) {
        super(name, params, lr);
        checkRange(name, "beta parameter at index 0", beta1, 0, 1);
        checkRange(name, "beta parameter at index 1", beta2, 0, 1);
        checkNonNegative(name, "epsilon", eps);
        checkNonNegative(name, "weight_decay", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
    }

    /** @throws IllegalArgumentException for betas outside [0, 1) or negative values */
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                boolean amsgrad) {
        this("Adam", params, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    /** With PyTorch's defaults and the given learning rate. */
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    @Override
    protected final void update(int index, Tensor p, Tensor g, long step) {
        Tensor m = state(index, "exp_avg", 0);
        Tensor v = state(index, "exp_avg_sq", 0);
        Tensor vMax = amsgrad ? state(index, "max_exp_avg_sq", 0) : null;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr() / bc1;
        double decay = decoupled ? 1 - lr() * weightDecay : 1;
        double coupled = decoupled ? 0 : weightDecay;
        if (OptimizerKernels.f32(getClass().getSimpleName(), p, g)) {
            OptimizerKernels.kernels().adam(p.f32(), g.f32(), m.f32(), v.f32(), OptimizerKernels.f(vMax), p.numel(), (float) stepSize,
                    (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) bc2Sqrt, (float) eps,
                    (float) coupled, (float) decay);
        } else {
            OptimizerKernels.kernels().adam(p.f64(), g.f64(), m.f64(), v.f64(), OptimizerKernels.d(vMax), p.numel(), stepSize, beta1,
                    1 - beta1, beta2, 1 - beta2, bc2Sqrt, eps, coupled, decay);
        }
    }

    @Override
    public Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("beta1", beta1);
        h.put("beta2", beta2);
        h.put("eps", eps);
        h.put("weight_decay", weightDecay);
        h.put("amsgrad", amsgrad ? 1.0 : 0.0);
        h.put("decoupled_weight_decay", decoupled ? 1.0 : 0.0);
        return h;
    }

    @Override
    protected Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>();
        names.add("exp_avg");
        names.add("exp_avg_sq");
        if (amsgrad) {
            names.add("max_exp_avg_sq");
        }
        return names;
    }

    @Override
    protected boolean nonNegativeState(String stateName) {
        return stateName.equals("exp_avg_sq") || stateName.equals("max_exp_avg_sq");
    }
}
