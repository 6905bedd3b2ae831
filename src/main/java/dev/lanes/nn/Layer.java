package dev.lanes.nn;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The base of every layer and model, as {@code torch.nn.Module}: parameters, buffers and child
 * modules registered by name in order; {@link #stateDict()} and {@link #loadStateDict} with
 * PyTorch's dotted names ({@code "0.weight"}, {@code "layer1.0.bn1.running_mean"}) and order
 * (each module's parameters, then its buffers, then its children); training and evaluation
 * modes; dtype conversion.
 */
public abstract class Layer {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Parameter> buffers = new LinkedHashMap<>();
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private boolean training = true;

    /** For subclasses, which register their parameters, buffers and child layers in their constructor. */
    protected Layer() {
    }

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
    protected final <M extends Layer> M registerModule(String name, M module) {
        checkName("Module", name, parameters, buffers, children);
        children.put(name, module);
        return module;
    }

    /** @return the direct children by name, in registration order */
    public final Map<String, Layer> children() {
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

    /**
     * @return every buffer (running statistics and other state that is saved but not trained) by
     *         dotted name, in PyTorch's order; the module's own tensors, not copies
     */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Parameter> slots = new LinkedHashMap<>();
        collect("", slots, false, true);
        Map<String, Tensor> out = new LinkedHashMap<>();
        slots.forEach((k, v) -> out.put(k, v.tensor()));
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
     *         are detached views of the module's storage (or, where a module's entries differ
     *         from its parameters, what {@link #ownStateDict()} makes of them)
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        exportState("", out);
        return out;
    }

    private void exportState(String prefix, Map<String, Tensor> out) {
        ownStateDict().forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.exportState(prefix + k + ".", out));
    }

    /**
     * This module's own state-dict entries (names without the prefix): its parameters, then its
     * buffers, detached. Modules whose saved form differs from their parameters override this
     * together with {@link #ownStateToSlots}: a recurrent layer with one bias per gate writes it
     * as PyTorch's two.
     */
    protected Map<String, Tensor> ownStateDict() {
        Map<String, Tensor> own = new LinkedHashMap<>();
        parameters.forEach((k, v) -> own.put(k, v.tensor().detach()));
        buffers.forEach((k, v) -> own.put(k, v.tensor().detach()));
        return own;
    }

    /**
     * The inverse of {@link #ownStateDict()}: from the entries given for this module (its
     * state-dict names without the prefix; in a non-strict load some may be absent) to tensors by
     * parameter or buffer name. Problems are added to {@code problems} with {@code prefix}ed
     * names. The default is the identity.
     */
    protected Map<String, Tensor> ownStateToSlots(Map<String, Tensor> given, String prefix, List<String> problems) {
        return given;
    }

    /**
     * This module's own state-dict names (without the prefix) that a strict load accepts as
     * missing; {@link #ownStateToSlots} decides what happens to them. None by default.
     */
    protected Set<String> optionalStateKeys() {
        return Set.of();
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
        List<String> problems = new ArrayList<>();
        Set<String> used = new HashSet<>();
        Map<Parameter, Tensor> assignments = new LinkedHashMap<>();
        planLoad("", state, strict, problems, used, assignments);
        if (strict) {
            for (String k : state.keySet()) {
                if (!used.contains(k)) {
                    problems.add("unexpected key '" + k + "'");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict(" + getClass().getSimpleName() + "): "
                    + String.join("; ", problems));
        }
        // Copied into the existing storage, as PyTorch does: optimizers holding the parameter
        // tensors keep working.
        assignments.forEach((slot, given) -> {
            Tensor target = slot.tensor();
            Dispatch.copy(given.to(target.dtype()), 0, target, 0, target.numel());
        });
    }

    private void planLoad(String prefix, Map<String, Tensor> state, boolean strict, List<String> problems,
                          Set<String> used, Map<Parameter, Tensor> assignments) {
        Map<String, Tensor> given = new LinkedHashMap<>();
        for (String k : ownStateDict().keySet()) {
            Tensor t = state.get(prefix + k);
            if (t != null) {
                given.put(k, t);
                used.add(prefix + k);
            } else if (strict && !optionalStateKeys().contains(k)) {
                problems.add("missing key '" + prefix + k + "'");
            }
        }
        ownStateToSlots(given, prefix, problems).forEach((k, t) -> {
            Parameter slot = parameters.containsKey(k) ? parameters.get(k) : buffers.get(k);
            if (slot == null) {
                throw new IllegalStateException(getClass().getSimpleName() + ": no parameter or buffer '" + k + "'");
            }
            if (!t.shape().equals(slot.tensor().shape())) {
                problems.add("'" + prefix + k + "' has shape " + t.shape() + " in the state dict but "
                        + slot.tensor().shape() + " in the module");
            } else {
                assignments.put(slot, t);
            }
        });
        children.forEach((k, m) -> m.planLoad(prefix + k + ".", state, strict, problems, used, assignments));
    }

    /** {@link #loadStateDict(Map, boolean)} with {@code strict = true}. */
    public final void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /** Sets training mode on this module and all below it; @return this */
    public Layer train() {
        return setTraining(true);
    }

    /** Sets evaluation mode on this module and all below it; @return this */
    public Layer eval() {
        return setTraining(false);
    }

    private Layer setTraining(boolean on) {
        training = on;
        for (Layer m : children.values()) {
            m.setTraining(on);
        }
        return this;
    }

    /** @return whether the module is in training mode (the default) */
    public final boolean isTraining() {
        return training;
    }

    /** Converts every parameter and buffer to {@code dtype} (gradients are dropped); @return this */
    public Layer to(DType dtype) {
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
