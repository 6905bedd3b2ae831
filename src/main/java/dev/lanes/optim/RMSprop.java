package dev.lanes.optim;

import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.optim.RMSprop}: {@code sq = alpha sq + (1 - alpha) d d}; the denominator is
 * {@code sqrt(sq) + eps}, or {@code sqrt(sq - ga^2) + eps} when centered (with
 * {@code ga = alpha ga + (1 - alpha) d}) — eps after the square root, as PyTorch; with momentum
 * {@code buf = momentum buf + d / avg}, {@code p -= lr buf}, else {@code p -= lr d / avg}.
 * Defaults: lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false.
 */
public final class RMSprop extends Optimizer {

    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;

    /** @throws IllegalArgumentException for negative or non-finite hyperparameters */
    public RMSprop(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum,
                   boolean centered) {
        super("RMSprop", params, lr);
        checkNonNegative("RMSprop", "alpha", alpha);
        checkNonNegative("RMSprop", "eps", eps);
        checkNonNegative("RMSprop", "weight_decay", weightDecay);
        checkNonNegative("RMSprop", "momentum", momentum);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.centered = centered;
    }

    /** With PyTorch's defaults. */
    public RMSprop(List<Tensor> params) {
        this(params, 0.01, 0.99, 1e-8, 0, 0, false);
    }

    @Override
    protected void update(int index, Tensor p, Tensor g, long step) {
        Tensor sq = state(index, "square_avg", 0);
        Tensor ga = centered ? state(index, "grad_avg", 0) : null;
        Tensor buf = momentum > 0 ? state(index, "momentum_buffer", 0) : null;
        if (OptimizerKernels.f32("RMSprop", p, g)) {
            OptimizerKernels.kernels().rmsprop(p.f32(), g.f32(), sq.f32(), OptimizerKernels.f(ga), OptimizerKernels.f(buf), p.numel(), (float) lr(),
                    (float) alpha, (float) (1 - alpha), (float) eps, (float) weightDecay, (float) momentum);
        } else {
            OptimizerKernels.kernels().rmsprop(p.f64(), g.f64(), sq.f64(), OptimizerKernels.d(ga), OptimizerKernels.d(buf), p.numel(), lr(), alpha,
                    1 - alpha, eps, weightDecay, momentum);
        }
    }

    @Override
    public Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("alpha", alpha);
        h.put("eps", eps);
        h.put("weight_decay", weightDecay);
        h.put("momentum", momentum);
        h.put("centered", centered ? 1.0 : 0.0);
        return h;
    }

    @Override
    protected Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>();
        names.add("square_avg");
        if (centered) {
            names.add("grad_avg");
        }
        if (momentum > 0) {
            names.add("momentum_buffer");
        }
        return names;
    }

    @Override
    protected boolean nonNegativeState(String stateName) {
        return stateName.equals("square_avg");
    }
}
