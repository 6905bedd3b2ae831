package dev.lanes.optim;

/** A learning-rate schedule: call {@link #step()} once per epoch (or per iteration), after the optimizer's step. */
public interface LRSchedule {

    /** Advances one epoch and sets the optimizer's learning rate. */
    void step();
}
