package dev.lanes.kernel;

/** Elementwise arithmetic on two operands, IEEE 754 in the operands' precision. */
public enum Binary {
    /** {@code a + b}. */
    ADD,
    /** {@code a - b}. */
    SUB,
    /** {@code a * b}, the Hadamard product. */
    MUL,
    /** {@code a / b}. */
    DIV
}
