package dev.lanes.autograd.internal;

import dev.lanes.tensor.Tensor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a trace into a {@link PlanProgram}: drops the operations no output depends on, folds
 * those that read only fixed values (their traced results become fixed values: a summed bias, a
 * zero initial state), lowers the others in the order they ran (each node emits its own steps,
 * {@link Lowerable}), and places the slots in one arena ({@link MemoryPlan}).
 */
public final class PlanCompiler {

    private PlanCompiler() {
    }

    /**
     * @param trace   the operations of one forward pass, in order
     * @param inputs  the tensors the pass started from, which become the plan's inputs
     * @param outputs the tensors it returned, which become the plan's outputs
     * @param names   the model's parameters and buffers, by identity, with their state-dict names
     * @param bf16Weights whether matrix products keep their weights in BF16
     * @throws IllegalArgumentException naming the operation and the part of the model that ran it
     *                                  when an operation cannot be planned or reads a tensor the
     *                                  plan cannot see
     */
    public static PlanProgram compile(List<Trace.Entry> trace, List<Tensor> inputs, List<Tensor> outputs,
                                      Map<Tensor, String> names, boolean bf16Weights) {
        boolean[] needed = needed(trace, outputs);
        Set<Tensor> folded = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean[] fixed = fixed(trace, inputs, names, folded);
        Lowering l = new Lowering(names, folded, bf16Weights);
        Slot[] in = new Slot[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = l.input(inputs.get(i));
        }
        for (int i = 0; i < trace.size(); i++) {
            Trace.Entry e = trace.get(i);
            if (!needed[i] || fixed[i]) {
                continue;
            }
            l.enter(e, i);
            if (!(e.node() instanceof Lowerable node)) {
                throw l.refuse("plans do not support this operation yet");
            }
            node.lower(l);
            for (Tensor t : e.outputs()) {
                if (l.known(t) == null) {
                    throw new IllegalStateException("lowering " + e.op() + " gave no slot for an output " + t.shape());
                }
            }
        }
        int end = trace.size();
        l.enter(new Trace.Entry("output", null, List.of(), List.of(), "(the model's result)"), end);
        Slot[] out = new Slot[outputs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.in(outputs.get(i));
        }
        for (Slot s : l.all) {
            if (s.kind == Slot.Kind.CONSTANT) {
                s.first = 0;
                s.last = end;
            } else if (s.kind == Slot.Kind.INPUT) {
                s.first = 0;
            }
        }
        int size = MemoryPlan.place(l.all);
        return new PlanProgram(l.steps, l.splits, l.stepNames, in, out, l.constantSlots, l.constantData, size);
    }

    /**
     * @return for each operation, whether it reads only fixed values: parameters and buffers,
     *         scalars made outside the trace, and results of such operations (added to {@code folded})
     */
    private static boolean[] fixed(List<Trace.Entry> trace, List<Tensor> inputs, Map<Tensor, String> names,
                                   Set<Tensor> folded) {
        Set<Tensor> given = Collections.newSetFromMap(new IdentityHashMap<>());
        given.addAll(inputs);
        Set<Tensor> computed = Collections.newSetFromMap(new IdentityHashMap<>());
        computed.addAll(inputs);
        for (Trace.Entry e : trace) {
            computed.addAll(e.outputs());
        }
        boolean[] fixed = new boolean[trace.size()];
        for (int i = 0; i < trace.size(); i++) {
            Trace.Entry e = trace.get(i);
            boolean all = true;
            for (Tensor t : e.inputs()) {
                boolean value = t != null && !given.contains(t) && (folded.contains(t)
                        || !computed.contains(t) && (names.containsKey(t) || t.numel() == 1));
                all &= value || t == null;
            }
            fixed[i] = all;
            if (all) {
                folded.addAll(e.outputs());
            }
        }
        return fixed;
    }

    /** @return for each operation, whether an output depends on it */
    private static boolean[] needed(List<Trace.Entry> trace, List<Tensor> outputs) {
        Set<Tensor> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        wanted.addAll(outputs);
        boolean[] needed = new boolean[trace.size()];
        for (int i = trace.size() - 1; i >= 0; i--) {
            Trace.Entry e = trace.get(i);
            for (Tensor t : e.outputs()) {
                if (wanted.contains(t)) {
                    needed[i] = true;
                    break;
                }
            }
            if (needed[i]) {
                wanted.addAll(e.inputs());
            }
        }
        return needed;
    }
}
