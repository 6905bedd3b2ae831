package dev.lanes.optim;

import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.optim.Adadelta}: {@code sq = rho sq + (1 - rho) d d},
 * {@code delta = sqrt(acc + eps) / sqrt(sq + eps) d}, {@code acc = rho acc + (1 - rho) delta^2},
 * {@code p -= lr delta} with {@code d = g + weightDecay p}. Defaults: lr 1.0, rho 0.9, eps 1e-6,
 * weight_decay 0.
 */
public final class Adadelta extends Optimizer {

    private final double rho;
    private final double eps;
    private final double weightDecay;

    /** @throws IllegalArgumentException for rho outside [0, 1] or negative values */
    public Adadelta(List<Tensor> params, double lr, double rho, double eps, double weightDecay) {
        super("Adadelta", params, lr);
        if (!(rho >= 0 && rho <= 1)) {
            throw new IllegalArgumentException("Adadelta: invalid rho value: " + rho + " (must be in [0, 1])");
        }
        checkNonNegative("Adadelta", "eps", eps);
        checkNonNegative("Adadelta", "weight_decay", weightDecay);
        this.rho = rho;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** With PyTorch's defaults. */
    public Adadelta(List<Tensor> params) {
        this(params, 1.0, 0.9, 1e-6, 0);
    }

    @Override
    protected void update(int index, Tensor p, Tensor g, long step) {
        Tensor sq = state(index, "square_avg", 0);
        Tensor acc = state(index, "acc_delta", 0);
        if (OptimizerKernels.f32("Adadelta", p, g)) {
            OptimizerKernels.kernels().adadelta(p.f32(), g.f32(), sq.f32(), acc.f32(), p.numel(), (float) lr(), (float) rho,
                    (float) (1 - rho), (float) eps, (float) weightDecay);
        } else {
            OptimizerKernels.kernels().adadelta(p.f64(), g.f64(), sq.f64(), acc.f64(), p.numel(), lr(), rho, 1 - rho, eps,
                    weightDecay);
        }
    }

    @Override
    public Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("rho", rho);
        h.put("eps", eps);
        h.put("weight_decay", weightDecay);
        return h;
    }

    @Override
    protected Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>();
        names.add("square_avg");
        names.add("acc_delta");
        return names;
    }

    @Override
    protected boolean nonNegativeState(String stateName) {
        return stateName.equals("square_avg") || stateName.equals("acc_delta");
    }
}
