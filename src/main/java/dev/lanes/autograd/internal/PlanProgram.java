package dev.lanes.autograd.internal;

import java.util.List;

/**
 * A compiled plan: steps over one arena, the slots of its inputs and outputs, and the fixed
 * values every new arena starts with. Immutable; sessions each own an arena
 * ({@link #newArena()}) and run the same steps on it.
 */
public final class PlanProgram {

    private final SplitStep[] steps;
    private final Split[] splits;
    private final String[] stepNames;
    private final Slot[] inputs;
    private final Slot[] outputs;
    private final Slot[] constants;
    private final float[][] constantData;
    private final int arenaSize;

    PlanProgram(List<SplitStep> steps, List<Split> splits, List<String> stepNames, Slot[] inputs, Slot[] outputs,
                List<Slot> constants, List<float[]> constantData, int arenaSize) {
        this.steps = steps.toArray(new SplitStep[0]);
        this.splits = splits.toArray(new Split[0]);
        this.stepNames = stepNames.toArray(new String[0]);
        this.inputs = inputs;
        this.outputs = outputs;
        this.constants = constants.toArray(new Slot[0]);
        this.constantData = constantData.toArray(new float[0][]);
        this.arenaSize = arenaSize;
    }

    /** @return a new arena for one session, holding the plan's fixed values */
    public float[] newArena() {
        float[] mem = new float[arenaSize];
        for (int i = 0; i < constants.length; i++) {
            System.arraycopy(constantData[i], 0, mem, constants[i].at(), constantData[i].length);
        }
        return mem;
    }

    /**
     * Runs every step on {@code mem}, whose input slots the caller has filled, with the splits
     * run by {@code splitter}.
     */
    public void run(float[] mem, Splitter splitter) {
        for (SplitStep s : steps) {
            s.run(mem, splitter);
        }
    }

    /** @return a splitter that spreads this plan's splits over the thread pool, for one session */
    public Splitter parallelSplitter() {
        return new Splitter.OverPool(splits);
    }

    /** @return the slots of the inputs, in the order given to the capture */
    public Slot input(int i) {
        return inputs[i];
    }

    /** @return the number of inputs */
    public int inputCount() {
        return inputs.length;
    }

    /** @return the slot of output {@code i} */
    public Slot output(int i) {
        return outputs[i];
    }

    /** @return the number of outputs */
    public int outputCount() {
        return outputs.length;
    }

    /** @return the floats of one arena */
    public int arenaSize() {
        return arenaSize;
    }

    /** @return the operation each step belongs to, in order */
    public List<String> stepNames() {
        return List.of(stepNames);
    }
}
