package dev.lanes.autograd.internal;

import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a node sees while it is lowered into a plan ({@link Lowerable#lower}): the slots of its
 * operands, new slots for its outputs and working memory, F32 copies of its fixed operands
 * (parameters, buffers, scalar constants) to prepack, and where to add its steps. Every slot a
 * node touches stays intact from its first to its last step, so a node may read its operands in
 * any of its steps.
 */
public final class Lowering {

    private final Map<Tensor, Slot> slots = new IdentityHashMap<>();
    private final Map<Tensor, float[]> copies = new IdentityHashMap<>();
    /** State-dict names of the model's parameters and buffers. */
    private final Map<Tensor, String> names;
    /** Results of operations on fixed values only, folded into fixed values. */
    private final Set<Tensor> folded;
    final List<Slot> all = new ArrayList<>();
    final List<float[]> constantData = new ArrayList<>();
    final List<Slot> constantSlots = new ArrayList<>();
    final List<SplitStep> steps = new ArrayList<>();
    final List<Split> splits = new ArrayList<>();
    final List<String> stepNames = new ArrayList<>();
    private final boolean bf16Weights;
    private Trace.Entry entry;
    private int time;
    /** While a fused group is lowered: the last consumer's output, their work, and the group's name. */
    private Tensor groupOutput;
    private Epilogue epilogue;
    private boolean epilogueTaken;
    private String stepName;

    Lowering(Map<Tensor, String> names, Set<Tensor> folded, boolean bf16Weights) {
        this.names = names;
        this.folded = folded;
        this.bf16Weights = bf16Weights;
    }

    /** @return whether the plan keeps the weights of its matrix products in BF16 */
    public boolean bf16Weights() {
        return bf16Weights;
    }

    /** Lowering moves on to operation {@code time}, the trace's {@code entry}. */
    void enter(Trace.Entry entry, int time) {
        this.entry = entry;
        this.time = time;
        this.groupOutput = null;
        this.epilogue = null;
        this.epilogueTaken = false;
        this.stepName = entry.op();
    }

    /**
     * Lowering moves on to the producer of a fused group, which runs at {@code time} (its last
     * consumer's): its output slot holds {@code result}, and its steps run {@code work}.
     */
    void enterGroup(Trace.Entry producer, int time, Tensor result, Epilogue work, String name) {
        enter(producer, time);
        this.groupOutput = result;
        this.epilogue = work;
        this.stepName = name;
    }

    /** @return whether the current group's producer asked for its epilogue */
    boolean epilogueTaken() {
        return epilogueTaken;
    }

    /**
     * @return the work of the consumers fused into the current operation, which an
     *         {@link EpilogueHost} applies to every run of output it writes; null when none are
     */
    public Epilogue epilogue() {
        epilogueTaken = true;
        return epilogue;
    }

    Slot input(Tensor t) {
        if (slots.containsKey(t)) {
            throw new IllegalArgumentException("capture: the same tensor is given as two inputs");
        }
        Slot s = newSlot(Slot.Kind.INPUT, t.dims(), t.numel(), null);
        s.first = 0;
        slots.put(t, s);
        return s;
    }

    /** @return the slot of a tensor already known to the plan, or null */
    Slot known(Tensor t) {
        return slots.get(t);
    }

    private Slot newSlot(Slot.Kind kind, int[] dims, int size, Slot base) {
        Slot s = new Slot(all.size(), kind, dims, size, base, time);
        all.add(s);
        return s;
    }

    /** Marks {@code s} as read or written by the current operation. */
    void use(Slot s, int t) {
        for (Slot x = s; x != null; x = x.base) {
            x.last = Math.max(x.last, t);
        }
    }

    /**
     * @return the slot of operand {@code t}: the output of an earlier operation, an input of the
     *         plan, or a fixed value (parameter, buffer, scalar constant) copied into every arena
     * @throws IllegalArgumentException when {@code t} is none of these (it was made outside the
     *                                  traced operations)
     */
    public Slot in(Tensor t) {
        Slot s = slots.get(t);
        if (s == null) {
            float[] data = constant(t);
            s = newSlot(Slot.Kind.CONSTANT, t.dims(), t.numel(), null);
            s.first = 0;
            slots.put(t, s);
            constantSlots.add(s);
            constantData.add(data);
        }
        use(s, time);
        return s;
    }

    /**
     * @return a new slot holding {@code data}, fixed values the node derived at capture (a
     *         constant operand laid out for its steps), copied into every arena
     */
    public Slot fixed(float[] data, int... dims) {
        Slot s = newSlot(Slot.Kind.CONSTANT, dims.clone(), data.length, null);
        constantSlots.add(s);
        constantData.add(data.clone());
        use(s, time);
        return s;
    }

    /**
     * @return whether {@code t} is fixed when the plan is captured: a parameter, a buffer, a scalar
     *         constant, or computed from those alone
     */
    public boolean isConstant(Tensor t) {
        Slot s = slots.get(t);
        return s == null ? names.containsKey(t) || folded.contains(t) || t.numel() == 1 : s.kind == Slot.Kind.CONSTANT;
    }

    /**
     * @return the values of a fixed operand in F32 (the plan's copy, shared by every call with the
     *         same tensor; do not modify), for the node to prepack
     * @throws IllegalArgumentException when {@code t} is computed by the model, made outside the
     *                                  traced operations, or holds a value that is not finite in F32
     */
    public float[] constant(Tensor t) {
        float[] c = copies.get(t);
        if (c != null) {
            return c;
        }
        Slot s = slots.get(t);
        if (s != null && s.kind != Slot.Kind.CONSTANT) {
            throw refuse("needs a " + t.shape() + " operand fixed at capture (a parameter or buffer), but it is "
                    + (s.kind == Slot.Kind.INPUT ? "an input of the plan" : "computed by the model"));
        }
        String name = names.get(t);
        if (name == null && t.numel() != 1 && !folded.contains(t)) {
            throw refuse("reads a " + t.shape() + " tensor made outside the traced operations: it is not an input, a"
                    + " parameter or buffer of the model, or the result of an operation the plan can see (register a"
                    + " constant as a buffer; a value computed from data read out of a tensor cannot be planned)");
        }
        c = new float[t.numel()];
        for (int i = 0; i < c.length; i++) {
            double v = t.getFlat(i);
            c[i] = (float) v;
            if (!Float.isFinite(c[i])) {
                throw refuse((name == null ? "a constant" : "'" + name + "'") + " element " + i + " is " + v
                        + (Double.isFinite(v) ? ", beyond the float range of the plan's F32 copy" : "")
                        + "; a plan cannot be captured from non-finite weights");
            }
        }
        copies.put(t, c);
        return c;
    }

    /** @return a new slot for the current operation's (first) output */
    public Slot out() {
        return out(0);
    }

    /** @return a new slot for output {@code i} of the current operation */
    public Slot out(int i) {
        Tensor t = i == 0 && groupOutput != null ? groupOutput : entry.outputs().get(i);
        return define(t, newSlot(Slot.Kind.VALUE, t.dims(), t.numel(), null));
    }

    /** @return a slot for the current operation's (first) output that is the floats of {@code of} under another shape */
    public Slot alias(Slot of) {
        if (groupOutput != null) {
            throw new IllegalStateException("lowering " + entry.op() + ": a fused producer cannot alias its output");
        }
        Tensor t = entry.outputs().get(0);
        if (t.numel() != of.size) {
            throw new IllegalArgumentException("alias: " + t.numel() + " floats cannot view a slot of " + of.size);
        }
        Slot s = define(t, newSlot(Slot.Kind.VALUE, t.dims(), t.numel(), of));
        use(of, time);
        return s;
    }

    private Slot define(Tensor t, Slot s) {
        if (slots.containsKey(t)) {
            throw new IllegalStateException("lowering " + entry.op() + ": output " + t.shape() + " defined twice");
        }
        slots.put(t, s);
        return s;
    }

    /** @return working memory of {@code floats} floats for the current operation only */
    public Slot scratch(int floats) {
        return newSlot(Slot.Kind.SCRATCH, new int[] {floats}, floats, null);
    }

    /** Adds a step of the current operation. */
    public void step(PlanStep s) {
        splitStep((mem, splitter) -> s.run(mem));
    }

    /** Adds a step of the current operation that runs {@link #split}s. */
    public void splitStep(SplitStep s) {
        steps.add(s);
        stepNames.add(stepName);
    }

    /** @return work of {@code tiles} independent tiles, for the operation's split steps to run */
    public Split split(int tiles, Split.Tile work) {
        Split s = new Split(splits.size(), tiles, work);
        splits.add(s);
        return s;
    }

    /** @return the exception refusing the current operation, naming it and the part of the model that ran it */
    public IllegalArgumentException refuse(String why) {
        return new IllegalArgumentException("capture: '" + entry.op() + "' " + entry.where() + " cannot be planned: "
                + why);
    }
}
