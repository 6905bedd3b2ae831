package dev.lanes.kernel;

/**
 * Pointwise activation functions whose derivative is a function of the output, which is how
 * the backward passes use them: they keep the forward output and never recompute it.
 */
public enum Activation {

    /** f(x) = x; f' = 1. */
    IDENTITY("identity"),
    /** f(x) = max(x, 0), NaN kept; f' = 1 where y > 0, else 0 (PyTorch's threshold backward). */
    RELU("relu"),
    /** The logistic function f(x) = 1 / (1 + e^-x); f' = y (1 - y). */
    SIGMOID("sigmoid"),
    /** f(x) = tanh(x); f' = 1 - y^2. */
    TANH("tanh"),
    /** f(x) = e^x; f' = y. */
    EXP("exp");

    private final String opName;
    private final String backwardName;

    Activation(String opName) {
        this.opName = opName;
        this.backwardName = opName + "Backward";
    }

    /** @return the operation's name in messages: {@code "relu"}, {@code "sigmoid"}, ... */
    public String opName() {
        return opName;
    }

    /** @return the name of its derivative in messages: {@code "reluBackward"}, ... */
    public String backwardName() {
        return backwardName;
    }
}
