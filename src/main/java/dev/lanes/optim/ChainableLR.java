package dev.lanes.optim;

/**
 * The base of PyTorch's chainable schedules ({@code _LRScheduler}): the new rate is computed from
 * the current one, so schedules compose; constructing one takes the initial step (epoch 0) at
 * once, as PyTorch does. The rates follow PyTorch's recursive formulas, not the closed forms, so
 * they match PyTorch's to the last bits.
 */
public abstract class ChainableLR implements LRSchedule {

    /** The optimizer whose rate this schedule sets. */
    protected final Optimizer optimizer;
    /** The rate the optimizer had when the first schedule attached ({@code initial_lr}). */
    protected final double baseLr;
    private int lastEpoch = -1;
    private int stepCount;

    /** Attaches to {@code optimizer} and takes the initial step, which may already change its rate. */
    // PyTorch takes the initial step in the base constructor too; subclasses' next() must cope with
    // being called before their own fields are set (epoch 0 keeps or derives the rate from baseLr).
    @SuppressWarnings("this-escape")
    protected ChainableLR(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.initialLr();
        initialStep();
    }

    final void initialStep() {
        stepCount = 0;
        step();
    }

    /** @return the epoch of the last step (0 after construction) */
    public final int lastEpoch() {
        return lastEpoch;
    }

    final int stepCount() {
        return stepCount;
    }

    final void rewind() {
        lastEpoch--;
    }

    @Override
    public final void step() {
        stepCount++;
        lastEpoch++;
        optimizer.setLr(next(optimizer.lr()));
    }

    /** Jumps to {@code epoch} with the closed form (what PyTorch's {@code step(epoch)} does). */
    final void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        optimizer.setLr(closedForm());
    }

    /** @return the rate for {@link #lastEpoch()} given the current rate (PyTorch's {@code get_lr}) */
    protected abstract double next(double current);

    /** @return the rate for {@link #lastEpoch()} from the base rate alone */
    protected abstract double closedForm();
}
