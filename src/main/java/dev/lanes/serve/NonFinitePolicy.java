package dev.lanes.serve;

/** What a serving session does with an input that holds NaN or an infinity. */
public enum NonFinitePolicy {
    /** Compute as usual; NaN and infinities flow into the outputs (the default, like PyTorch). */
    PROPAGATE,
    /** Refuse the step with an {@link IllegalArgumentException} naming the first bad element; the state is unchanged. */
    REJECT
}
