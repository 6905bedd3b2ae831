package dev.lanes.autograd.internal;

import dev.lanes.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a trace into a {@link PlanProgram}: drops the operations no output depends on, folds
 * those that read only fixed values (their traced results become fixed values: a summed bias, a
 * zero initial state), fuses elementwise consumers into the operations producing their operand
 * ({@link EpilogueOp}, {@link EpilogueHost}), lowers the others in the order they ran (each node
 * emits its own steps, {@link Lowerable}), and places the slots in one arena ({@link MemoryPlan}).
 *
 * <p>A fused group is lowered when its last consumer ran, so every operand of every member is
 * computed by then; its producer's operands stay live until that point. Between the producer and
 * the last consumer nothing else reads the intermediate results, which get no slots.
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
        int[][] groups = groups(trace, needed, fixed, outputs);
        for (int i = 0; i < trace.size(); i++) {
            Trace.Entry e = trace.get(i);
            if (!needed[i] || fixed[i] || groups[i] == ABSORBED) {
                continue;
            }
            if (groups[i] != null) {
                e = lowerGroup(l, trace, groups[i]);
            } else {
                l.enter(e, i);
                if (!(e.node() instanceof Lowerable node)) {
                    throw l.refuse("plans do not support this operation yet");
                }
                node.lower(l);
            }
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

    /** Marks an operation lowered as part of a group that starts elsewhere. */
    private static final int[] ABSORBED = new int[0];

    /**
     * @return for each operation that ends a fused group, the trace indices of the group (its
     *         producer, then its consumers in order); {@link #ABSORBED} for the group's other
     *         members; null for operations lowered alone
     */
    private static int[][] groups(List<Trace.Entry> trace, boolean[] needed, boolean[] fixed, List<Tensor> outputs) {
        Map<Tensor, Integer> reads = new IdentityHashMap<>();
        Map<Tensor, Integer> reader = new IdentityHashMap<>();
        for (int i = 0; i < trace.size(); i++) {
            if (needed[i] && !fixed[i]) {
                for (Tensor t : trace.get(i).inputs()) {
                    reads.merge(t, 1, Integer::sum);
                    reader.put(t, i);
                }
            }
        }
        Set<Tensor> results = Collections.newSetFromMap(new IdentityHashMap<>());
        results.addAll(outputs);
        int[][] groups = new int[trace.size()][];
        for (int i = 0; i < trace.size(); i++) {
            Trace.Entry e = trace.get(i);
            if (!needed[i] || fixed[i] || groups[i] != null || !(e.node() instanceof EpilogueHost)
                    || e.outputs().size() != 1) {
                continue;
            }
            int[] group = {i};
            Tensor through = e.outputs().getFirst();
            while (!results.contains(through) && reads.getOrDefault(through, 0) == 1) {
                int j = reader.get(through);
                Trace.Entry c = trace.get(j);
                if (groups[j] != null || !(c.node() instanceof EpilogueOp op) || c.outputs().size() != 1
                        || !c.outputs().getFirst().shape().equals(through.shape()) || !op.fusesAfter(through)) {
                    break;
                }
                group = Arrays.copyOf(group, group.length + 1);
                group[group.length - 1] = j;
                through = c.outputs().getFirst();
            }
            if (group.length > 1) {
                for (int k = 0; k < group.length - 1; k++) {
                    groups[group[k]] = ABSORBED;
                }
                groups[group[group.length - 1]] = group;
            }
        }
        return groups;
    }

    /** Lowers a fused group at its last consumer's time. @return the last consumer's entry */
    private static Trace.Entry lowerGroup(Lowering l, List<Trace.Entry> trace, int[] group) {
        int time = group[group.length - 1];
        Epilogue work = null;
        StringBuilder name = new StringBuilder(trace.get(group[0]).op());
        Tensor through = trace.get(group[0]).outputs().getFirst();
        for (int k = 1; k < group.length; k++) {
            Trace.Entry c = trace.get(group[k]);
            l.enter(c, time);
            work = Epilogue.then(work, ((EpilogueOp) c.node()).epilogue(l, through));
            name.append('+').append(c.op());
            through = c.outputs().getFirst();
        }
        Trace.Entry producer = trace.get(group[0]);
        l.enterGroup(producer, time, through, work, name.toString());
        ((EpilogueHost) producer.node()).lower(l);
        if (!l.epilogueTaken()) {
            throw new IllegalStateException("lowering " + name + ": the producer did not run its fused consumers");
        }
        return trace.get(time);
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
