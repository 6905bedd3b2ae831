package dev.lanes.train;

/**
 * Training produced a non-finite loss or non-finite weights, and the {@link Trainer} stopped
 * rather than go on or overwrite a good checkpoint with them. The message names the step, and
 * the last checkpoint written (if any) is still the last good state.
 */
public final class TrainingDivergedException extends ArithmeticException {

    private static final long serialVersionUID = 1L;

    /** The optimizer step at which the divergence was seen. */
    private final long step;

    /**
     * @param step    the optimizer step at which it was seen
     * @param message what was seen and what is left
     */
    public TrainingDivergedException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** @return the optimizer step at which the divergence was seen */
    public long step() {
        return step;
    }
}
