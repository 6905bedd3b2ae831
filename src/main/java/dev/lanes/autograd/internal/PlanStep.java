package dev.lanes.autograd.internal;

/**
 * One step of a compiled plan: reads and writes its {@link Slot}s in a session's arena. Steps
 * are shared by every session of a plan, so they keep no state of their own between calls.
 */
@FunctionalInterface
public interface PlanStep {

    /** Runs the step on one session's arena. */
    void run(float[] mem);
}
