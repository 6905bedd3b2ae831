package dev.lanes.optim;

import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with optional momentum, as {@code torch.optim.SGD}: for each
 * parameter {@code d = g + weightDecay p}; with momentum the buffer starts as {@code d} and then
 * follows {@code buf = momentum buf + (1 - dampening) d}; {@code d} becomes
 * {@code d + momentum buf} (Nesterov) or {@code buf}; {@code p -= lr d}.
 *
 * <p>The lecture's momentum {@code Δw_{i+1} = -η ∂L/∂w + λ Δw_i} is this update with
 * {@code momentum = λ} and {@code dampening = 0}, while {@code lr = η} stays constant.
 */
public final class SGD extends Optimizer {

    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    /**
     * @throws IllegalArgumentException for negative or non-finite hyperparameters, or Nesterov
     *                                  without momentum or with dampening
     */
    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super("SGD", params, lr);
        checkNonNegative("SGD", "momentum", momentum);
        checkNonNegative("SGD", "dampening", dampening);
        checkNonNegative("SGD", "weight_decay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** Plain SGD. */
    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    /** SGD with momentum. */
    public SGD(List<Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    @Override
    protected void update(int index, Tensor p, Tensor g, long step) {
        boolean first = momentum != 0 && !hasState(index, "momentum_buffer");
        Tensor buf = momentum != 0 ? state(index, "momentum_buffer", 0) : null;
        if (OptimizerKernels.f32("SGD", p, g)) {
            OptimizerKernels.kernels().sgd(p.f32(), g.f32(), OptimizerKernels.f(buf), p.numel(), (float) lr(), (float) momentum,
                    (float) (1 - dampening), (float) weightDecay, nesterov, first);
        } else {
            OptimizerKernels.kernels().sgd(p.f64(), g.f64(), OptimizerKernels.d(buf), p.numel(), lr(), momentum, 1 - dampening, weightDecay,
                    nesterov, first);
        }
    }

    @Override
    public Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("momentum", momentum);
        h.put("dampening", dampening);
        h.put("weight_decay", weightDecay);
        h.put("nesterov", nesterov ? 1.0 : 0.0);
        return h;
    }

    @Override
    protected Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>();
        if (momentum != 0) {
            names.add("momentum_buffer");
        }
        return names;
    }
}
