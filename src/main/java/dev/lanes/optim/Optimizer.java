package dev.lanes.optim;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of the optimizers: a list of parameters (leaf tensors that require grad), a learning
 * rate that schedules may change, and per-parameter state. {@link #step()} updates every
 * parameter that has a gradient, in place, with one fused pass over its storage; parameters
 * without a gradient are skipped and their state does not advance, as in PyTorch.
 *
 * <p>Create the optimizer after the model has its final dtype: it keeps the parameter tensors.
 */
public abstract class Optimizer {

    private final List<Tensor> params;
    private double lr;
    private double initialLr = Double.NaN;
    /** Per parameter: state tensors by PyTorch's names ({@code momentum_buffer}, {@code exp_avg}, ...). */
    private final List<Map<String, Tensor>> state = new ArrayList<>();
    /** Per parameter: how many updates it has had. */
    private final long[] steps;

    /**
     * @param name   the optimizer's name in error messages
     * @param params leaf tensors that require grad, updated in place
     * @param lr     the learning rate, finite and >= 0
     */
    protected Optimizer(String name, List<Tensor> params, double lr) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException(name + ": got an empty parameter list");
        }
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException(name + ": parameter " + i + " (shape " + p.shape()
                        + ") is not a leaf that requires grad");
            }
            state.add(new LinkedHashMap<>());
        }
        checkNonNegative(name, "lr", lr);
        this.params = List.copyOf(params);
        this.lr = lr;
        this.steps = new long[params.size()];
    }

    static void checkNonNegative(String op, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(op + ": invalid " + name + " value: " + v + " (must be finite and >= 0)");
        }
    }

    static void checkRange(String op, String name, double v, double lo, double hi) {
        if (!(v >= lo && v < hi)) {
            throw new IllegalArgumentException(op + ": invalid " + name + " value: " + v + " (must be in [" + lo + ", "
                    + hi + "))");
        }
    }

    /** @return the parameters, in the order given */
    public final List<Tensor> params() {
        return params;
    }

    /** @return the current learning rate */
    public final double lr() {
        return lr;
    }

    /** Sets the learning rate (schedules do this). */
    public final void setLr(double lr) {
        checkNonNegative(getClass().getSimpleName(), "lr", lr);
        this.lr = lr;
    }

    /** @return the learning rate when the first schedule attached (PyTorch's {@code initial_lr}) */
    final double initialLr() {
        if (Double.isNaN(initialLr)) {
            initialLr = lr;
        }
        return initialLr;
    }

    /** Forgets every parameter's gradient. */
    public final void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /** Updates every parameter that has a gradient. */
    public final void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            steps[i]++;
            update(i, p, g, steps[i]);
        }
    }

    /**
     * Updates one parameter in place.
     *
     * @param index the parameter's position
     * @param step  its update count, from 1
     */
    protected abstract void update(int index, Tensor p, Tensor grad, long step);

    /** @return parameter {@code index}'s state tensor {@code name}, created as zeros (or {@code fill}) on first use */
    protected final Tensor state(int index, String name, double fill) {
        Map<String, Tensor> s = state.get(index);
        Tensor t = s.get(name);
        if (t == null) { // not computeIfAbsent: its capturing lambda would allocate on every step
            Tensor p = params.get(index);
            t = Tensor.full(p.dtype(), fill, p.dims());
            s.put(name, t);
        }
        return t;
    }

    /** @return whether parameter {@code index} has state {@code name} yet */
    protected final boolean hasState(int index, String name) {
        return state.get(index).containsKey(name);
    }

    /**
     * The state for a checkpoint: {@code "<index>.<name>"} (for example {@code "0.exp_avg"},
     * {@code "0.step"}) and {@code "lr"}; tensors are copies.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("lr", Tensor.scalar(DType.F64, lr));
        for (int i = 0; i < params.size(); i++) {
            out.put(i + ".step", Tensor.scalar(DType.F64, steps[i]));
            for (Map.Entry<String, Tensor> e : state.get(i).entrySet()) {
                out.put(i + "." + e.getKey(), e.getValue().copy());
            }
        }
        return out;
    }

    /** Restores a {@link #stateDict()}; checks every entry before changing anything. */
    public final void loadStateDict(Map<String, Tensor> saved) {
        List<Map<String, Tensor>> restored = new ArrayList<>();
        long[] restoredSteps = new long[params.size()];
        for (int i = 0; i < params.size(); i++) {
            restored.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            String key = e.getKey();
            if (key.equals("lr")) {
                continue;
            }
            int dot = key.indexOf('.');
            int index;
            try {
                index = Integer.parseInt(key.substring(0, Math.max(dot, 0)));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("loadStateDict: unexpected key '" + key + "'");
            }
            if (index < 0 || index >= params.size()) {
                throw new IllegalArgumentException("loadStateDict: key '" + key + "' names parameter " + index
                        + " of " + params.size());
            }
            String name = key.substring(dot + 1);
            Tensor p = params.get(index);
            if (name.equals("step")) {
                restoredSteps[index] = (long) e.getValue().item();
            } else if (!e.getValue().shape().equals(p.shape())) {
                throw new IllegalArgumentException("loadStateDict: '" + key + "' has shape " + e.getValue().shape()
                        + ", parameter " + index + " has " + p.shape());
            } else {
                restored.get(index).put(name, e.getValue().to(p.dtype()).copy());
            }
        }
        Tensor savedLr = saved.get("lr");
        if (savedLr == null) {
            throw new IllegalArgumentException("loadStateDict: missing key 'lr'");
        }
        for (int i = 0; i < params.size(); i++) {
            state.set(i, restored.get(i));
        }
        System.arraycopy(restoredSteps, 0, steps, 0, steps.length);
        lr = savedLr.item();
    }
}
