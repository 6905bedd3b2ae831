package dev.lanes.tensor;

/** Element type of a tensor. F32 is the compute type; F64 exists to check gradients tightly. */
public enum DType {
    /** 32-bit IEEE 754 floats, stored in a {@code float[]}. */
    F32,
    /** 64-bit IEEE 754 doubles, stored in a {@code double[]}. */
    F64;

    /** PyTorch's name of the type, as its {@code repr} prints it. */
    public String torchName() {
        return this == F32 ? "torch.float32" : "torch.float64";
    }
}
