package dev.lanes.kernel;

/**
 * Pointwise activation functions whose derivative is a function of the output, which is how
 * the backward passes use them: they keep the forward output and never recompute it.
 */
public enum Activation {

    /** f(x) = x; f' = 1. */
    IDENTITY,
    /** f(x) = max(x, 0), NaN kept; f' = 1 where y > 0, else 0 (PyTorch's threshold backward). */
    RELU,
    /** The logistic function f(x) = 1 / (1 + e^-x); f' = y (1 - y). */
    SIGMOID,
    /** f(x) = tanh(x); f' = 1 - y^2. */
    TANH,
    /** f(x) = e^x; f' = y. */
    EXP;

    /** @return the operation's name in messages: {@code "relu"}, {@code "sigmoid"}, ... */
    public String opName() {
        return switch (this) {
            case IDENTITY -> "identity";
            case RELU -> "relu";
            case SIGMOID -> "sigmoid";
            case TANH -> "tanh";
            case EXP -> "exp";
        };
    }
}
