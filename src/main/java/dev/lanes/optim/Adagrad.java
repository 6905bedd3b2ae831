package dev.lanes.optim;

import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.optim.Adagrad}: a per-weight rate from the sum of squared gradients;
 * {@code clr = lr / (1 + (step - 1) lrDecay)}, {@code sum += d d},
 * {@code p -= clr d / (sqrt(sum) + eps)} with {@code d = g + weightDecay p}.
 * Defaults: lr 0.01, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10.
 */
public final class Adagrad extends Optimizer {

    private final double lrDecay;
    private final double weightDecay;
    private final double initialAccumulator;
    private final double eps;

    /** @throws IllegalArgumentException for negative or non-finite hyperparameters */
    public Adagrad(List<Tensor> params, double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
                   double eps) {
        super("Adagrad", params, lr);
        checkNonNegative("Adagrad", "lr_decay", lrDecay);
        checkNonNegative("Adagrad", "weight_decay", weightDecay);
        checkNonNegative("Adagrad", "initial_accumulator_value", initialAccumulatorValue);
        checkNonNegative("Adagrad", "eps", eps);
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulator = initialAccumulatorValue;
        this.eps = eps;
        for (int i = 0; i < params.size(); i++) {
            state(i, "sum", initialAccumulator); // PyTorch creates it at construction
        }
    }

    /** With PyTorch's defaults. */
    public Adagrad(List<Tensor> params) {
        this(params, 0.01, 0, 0, 0, 1e-10);
    }

    @Override
    protected void update(int index, Tensor p, Tensor g, long step) {
        double clr = lr() / (1 + (step - 1) * lrDecay);
        Tensor sum = state(index, "sum", initialAccumulator);
        if (OptimizerKernels.f32("Adagrad", p, g)) {
            OptimizerKernels.kernels().adagrad(p.f32(), g.f32(), sum.f32(), p.numel(), (float) clr, (float) weightDecay,
                    (float) eps);
        } else {
            OptimizerKernels.kernels().adagrad(p.f64(), g.f64(), sum.f64(), p.numel(), clr, weightDecay, eps);
        }
    }

    @Override
    public Map<String, Double> hyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("lr_decay", lrDecay);
        h.put("weight_decay", weightDecay);
        h.put("initial_accumulator_value", initialAccumulator);
        h.put("eps", eps);
        return h;
    }

    @Override
    protected Set<String> stateNames() {
        Set<String> names = new LinkedHashSet<>();
        names.add("sum");
        return names;
    }

    @Override
    protected boolean nonNegativeState(String stateName) {
        return stateName.equals("sum");
    }
}
