package dev.lanes.nn;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Dispatch;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of every layer and model, as {@code torch.nn.Module}: parameters, buffers and child
 * modules registered by name in order; {@link #stateDict()} and {@link #loadStateDict} with
 * PyTorch's dotted names ({@code "0.weight"}, {@code "layer1.0.bn1.running_mean"}) and order
 * (each module's parameters, then its buffers, then its children); training and evaluation
 * modes; dtype conversion.
 */
public abstract class Module {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Parameter> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /**
     * The module applied to one input. Modules with other inputs (recurrent layers) offer their
     * own methods and leave this one unsupported.
     */
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not take a single tensor");
    }

    @SafeVarargs
    private static void checkName(String kind, String name, Map<String, ?>... taken) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("register" + kind + ": invalid name '" + name + "' (non-empty, no dots)");
        }
        for (Map<String, ?> m : taken) {
            if (m.containsKey(name)) {
                throw new IllegalArgumentException("register" + kind + ": the name '" + name + "' is already taken");
            }
        }
    }

    /** Registers a trainable parameter (its tensor becomes a leaf that requires grad). */
    protected final Parameter registerParameter(String name, Tensor value) {
        checkName("Parameter", name, parameters, buffers, children);
        Parameter p = new Parameter(value, true);
        parameters.put(name, p);
        return p;
    }

    /** Registers a buffer: saved in the state dict, not trained. */
    protected final Parameter registerBuffer(String name, Tensor value) {
        checkName("Buffer", name, parameters, buffers, children);
        Parameter p = new Parameter(value, false);
        buffers.put(name, p);
        return p;
    }

    /** Registers a child module. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName("Module", name, parameters, buffers, children);
        children.put(name, module);
        return module;
    }

    /** @return the direct children by name, in registration order */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** @return every trainable parameter's slot by dotted name, in PyTorch's order */
    public final Map<String, Parameter> namedParameterSlots() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** @return every trainable parameter by dotted name, in PyTorch's order */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameterSlots().forEach((k, v) -> out.put(k, v.tensor()));
        return out;
    }

    /** @return every trainable parameter, in PyTorch's order */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** @return the number of trainable scalars */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : parameters()) {
            n += t.numel();
        }
        return n;
    }

    private void collect(String prefix, Map<String, Parameter> out, boolean params, boolean bufs) {
        if (params) {
            parameters.forEach((k, v) -> out.put(prefix + k, v));
        }
        if (bufs) {
            buffers.forEach((k, v) -> out.put(prefix + k, v));
        }
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, params, bufs));
    }

    /** Parameters and buffers: each module's parameters, then its buffers, then its children. */
    private Map<String, Parameter> stateSlots() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    /**
     * @return parameters and buffers by dotted name, in PyTorch's state-dict order; the tensors
     *         are detached views of the module's storage
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        stateSlots().forEach((k, v) -> out.put(k, v.tensor().detach()));
        return out;
    }

    /**
     * Copies values from a state dict into this module's parameters and buffers, in place
     * (converted to their dtype), so tensors held elsewhere (by an optimizer) see the new values.
     * Everything is checked before anything changes, so a failed load leaves the module as it was.
     *
     * @param state  tensors by dotted name
     * @param strict whether keys missing from {@code state} or unknown to the module are errors
     * @throws IllegalArgumentException naming the keys and shapes that do not fit
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Parameter> slots = stateSlots();
        List<String> problems = new ArrayList<>();
        if (strict) {
            for (String k : slots.keySet()) {
                if (!state.containsKey(k)) {
                    problems.add("missing key '" + k + "'");
                }
            }
            for (String k : state.keySet()) {
                if (!slots.containsKey(k)) {
                    problems.add("unexpected key '" + k + "'");
                }
            }
        }
        for (Map.Entry<String, Parameter> e : slots.entrySet()) {
            Tensor given = state.get(e.getKey());
            if (given != null && !given.shape().equals(e.getValue().tensor().shape())) {
                problems.add("'" + e.getKey() + "' has shape " + given.shape() + " in the state dict but "
                        + e.getValue().tensor().shape() + " in the module");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict(" + getClass().getSimpleName() + "): "
                    + String.join("; ", problems));
        }
        for (Map.Entry<String, Parameter> e : slots.entrySet()) {
            Tensor given = state.get(e.getKey());
            if (given != null) {
                // Copied into the existing storage, as PyTorch does: optimizers holding the
                // parameter tensors keep working.
                Tensor target = e.getValue().tensor();
                Dispatch.copy(given.to(target.dtype()), 0, target, 0, target.numel());
            }
        }
    }

    /** {@link #loadStateDict(Map, boolean)} with {@code strict = true}. */
    public final void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /** Sets training mode on this module and all below it; @return this */
    public Module train() {
        return setTraining(true);
    }

    /** Sets evaluation mode on this module and all below it; @return this */
    public Module eval() {
        return setTraining(false);
    }

    private Module setTraining(boolean on) {
        training = on;
        for (Module m : children.values()) {
            m.setTraining(on);
        }
        return this;
    }

    /** @return whether the module is in training mode (the default) */
    public final boolean isTraining() {
        return training;
    }

    /** Converts every parameter and buffer to {@code dtype} (gradients are dropped); @return this */
    public Module to(DType dtype) {
        for (Parameter p : stateSlots().values()) {
            if (p.tensor().dtype() != dtype) {
                p.set(p.tensor().to(dtype));
            }
        }
        return this;
    }

    /** Forgets the gradients of all parameters. */
    public final void zeroGrad() {
        for (Tensor t : parameters()) {
            t.zeroGrad();
        }
    }

    /** @return the module's structure, one child per line, like PyTorch's print */
    @Override
    public String toString() {
        if (children.isEmpty()) {
            return getClass().getSimpleName() + "(" + extraRepr() + ")";
        }
        StringBuilder b = new StringBuilder(getClass().getSimpleName()).append("(\n");
        children.forEach((k, m) -> b.append("  (").append(k).append("): ")
                .append(m.toString().replace("\n", "\n  ")).append('\n'));
        return b.append(')').toString();
    }

    /** @return the arguments shown inside the parentheses of {@link #toString()} */
    protected String extraRepr() {
        return "";
    }
}
