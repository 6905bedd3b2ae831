package dev.lanes.optim;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of the optimizers: a list of parameters (leaf tensors that require grad), a learning
 * rate that schedules may change, and per-parameter state. {@link #step()} updates every
 * parameter that has a gradient, in place, with one fused pass over its storage; parameters
 * without a gradient are skipped and their state does not advance, as in PyTorch.
 *
 * <p>Create the optimizer after the model has its final dtype: it keeps the parameter tensors.
 */
public abstract class Optimizer {

    /** The largest per-parameter step count a state dict may hold: where doubles stop counting exactly. */
    public static final long MAX_STEP = 1L << 53;

    private final String name;
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
        this.name = name;
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

    /** @return the optimizer's name, PyTorch's class name ({@code "SGD"}, {@code "Adam"}, ...) */
    public final String name() {
        return name;
    }

    /**
     * The hyperparameters other than the learning rate, by PyTorch's names ({@code momentum},
     * {@code betas} as {@code beta1}/{@code beta2}, {@code eps}, {@code weight_decay}, ...; flags
     * as 0 or 1). Checkpoints store them, so that state saved under one setting is not resumed
     * under another. The default, for optimizers that declare none, is empty.
     */
    public Map<String, Double> hyperparameters() {
        return Map.of();
    }

    /**
     * The state tensors every parameter has once it has taken a step, for example
     * {@code exp_avg} and {@code exp_avg_sq} for Adam. {@link #loadStateDict} requires exactly
     * these and refuses others. The default, null, declares nothing: any names are accepted.
     */
    protected Set<String> stateNames() {
        return null;
    }

    /**
     * @param stateName one of {@link #stateNames()}
     * @return whether its values are never negative (running averages of squares), so that a
     *         negative value in a state dict is refused; the default is false
     */
    protected boolean nonNegativeState(String stateName) {
        return false;
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

    /**
     * Restores a {@link #stateDict()}, all or nothing: every entry is checked first (see
     * {@link #checkStateDict}) and nothing changes unless all pass.
     *
     * @throws IllegalArgumentException naming the first bad key and what is wrong with it
     */
    public final void loadStateDict(Map<String, Tensor> saved) {
        Restored r = plan(saved);
        for (int i = 0; i < params.size(); i++) {
            state.set(i, r.state.get(i));
        }
        System.arraycopy(r.steps, 0, steps, 0, steps.length);
        lr = r.lr;
    }

    /**
     * Checks a state dict without loading it: {@code lr} finite and >= 0; a {@code <i>.step} for
     * every parameter, a whole number in {@code [0, MAX_STEP]}; every state tensor named for an
     * existing parameter, shaped like it and finite (and >= 0 where {@link #nonNegativeState}
     * says so); where the optimizer declares {@link #stateNames()}, no other names, and every
     * one of them for each parameter that has taken a step.
     *
     * @throws IllegalArgumentException naming the first bad key and what is wrong with it
     */
    public final void checkStateDict(Map<String, Tensor> saved) {
        plan(saved);
    }

    private record Restored(List<Map<String, Tensor>> state, long[] steps, double lr) {
    }

    private Restored plan(Map<String, Tensor> saved) {
        String op = name + ".loadStateDict";
        Set<String> names = stateNames();
        List<Map<String, Tensor>> restored = new ArrayList<>();
        long[] restoredSteps = new long[params.size()];
        boolean[] hasStep = new boolean[params.size()];
        for (int i = 0; i < params.size(); i++) {
            restored.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            String key = e.getKey();
            Tensor value = e.getValue();
            if (key.equals("lr")) {
                continue;
            }
            int dot = key.indexOf('.');
            int index;
            try {
                index = Integer.parseInt(key.substring(0, Math.max(dot, 0)));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(op + ": unexpected key '" + key + "'");
            }
            if (index < 0 || index >= params.size()) {
                throw new IllegalArgumentException(op + ": key '" + key + "' names parameter " + index + ", but there"
                        + " are " + params.size());
            }
            String stateName = key.substring(dot + 1);
            Tensor p = params.get(index);
            if (stateName.equals("step")) {
                double v = value.numel() == 1 ? value.getFlat(0) : Double.NaN;
                if (!(v >= 0 && v <= MAX_STEP && v == Math.rint(v))) {
                    throw new IllegalArgumentException(op + ": '" + key + "' must be one whole number in [0, "
                            + MAX_STEP + "], got " + (value.numel() == 1 ? Double.toString(v) : "shape " + value.shape()));
                }
                restoredSteps[index] = (long) v;
                hasStep[index] = true;
                continue;
            }
            if (names != null && !names.contains(stateName)) {
                throw new IllegalArgumentException(op + ": unexpected state '" + key + "' (" + name + " keeps "
                        + String.join(", ", names) + ")");
            }
            if (!value.shape().equals(p.shape())) {
                throw new IllegalArgumentException(op + ": '" + key + "' has shape " + value.shape() + ", parameter "
                        + index + " has " + p.shape());
            }
            boolean nonNegative = nonNegativeState(stateName);
            for (int j = 0; j < value.numel(); j++) {
                double v = value.getFlat(j);
                if (!Double.isFinite(v) || (nonNegative && v < 0)) {
                    throw new IllegalArgumentException(op + ": '" + key + "' element " + j + " is " + v + " (must be"
                            + " finite" + (nonNegative ? " and >= 0" : "") + ")");
                }
            }
            restored.get(index).put(stateName, value.to(p.dtype()).copy());
        }
        for (int i = 0; i < params.size(); i++) {
            if (!hasStep[i]) {
                throw new IllegalArgumentException(op + ": missing key '" + i + ".step'");
            }
            if (names != null && restoredSteps[i] > 0) {
                for (String n : names) {
                    if (!restored.get(i).containsKey(n)) {
                        throw new IllegalArgumentException(op + ": missing key '" + i + "." + n + "' (parameter " + i
                                + " has taken " + restoredSteps[i] + " steps)");
                    }
                }
            }
        }
        Tensor savedLr = saved.get("lr");
        if (savedLr == null) {
            throw new IllegalArgumentException(op + ": missing key 'lr'");
        }
        double newLr = savedLr.numel() == 1 ? savedLr.getFlat(0) : Double.NaN;
        if (!(newLr >= 0) || Double.isInfinite(newLr)) {
            throw new IllegalArgumentException(op + ": 'lr' must be finite and >= 0, got " + newLr);
        }
        return new Restored(restored, restoredSteps, newLr);
    }
}
