package dev.lanes.kernel.internal;

/** Elementwise arithmetic on two operands, IEEE 754 in the operands' precision. */
public enum Binary {
    /** {@code a + b}. */
    ADD("add"),
    /** {@code a - b}. */
    SUB("sub"),
    /** {@code a * b}, the Hadamard product. */
    MUL("mul"),
    /** {@code a / b}. */
    DIV("div");

    private final String opName;

    Binary(String opName) {
        this.opName = opName;
    }

    /** @return the operation's name in messages: {@code "add"}, {@code "mul"}, ... */
    public String opName() {
        return opName;
    }
}
