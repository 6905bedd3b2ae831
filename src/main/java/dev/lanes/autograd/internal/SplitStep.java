package dev.lanes.autograd.internal;

/**
 * A plan step with work that a session may split across threads: it runs its {@link Split}s
 * through the session's {@link Splitter} and anything else on the calling thread.
 */
@FunctionalInterface
public interface SplitStep {

    /** Runs the step on one session's arena. */
    void run(float[] mem, Splitter splitter);
}
