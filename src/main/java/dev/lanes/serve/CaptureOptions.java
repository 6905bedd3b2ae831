package dev.lanes.serve;

/**
 * How {@link Plan#capture(dev.lanes.nn.Layer, CaptureOptions, Plan.Forward, dev.lanes.tensor.Tensor...)}
 * builds a plan. Immutable; start from {@link #defaults()}.
 */
public final class CaptureOptions {

    private static final CaptureOptions DEFAULTS = new CaptureOptions(false);

    private final boolean bf16Weights;

    private CaptureOptions(boolean bf16Weights) {
        this.bf16Weights = bf16Weights;
    }

    /** @return F32 weights throughout */
    public static CaptureOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Keeps the weights of linear layers and recurrent layers and cells as BF16 (bfloat16: the high
     * 16 bits of the F32 value, rounded to nearest with ties to even) instead of F32. Those products
     * then read half the bytes, which is what limits a small batch; the arithmetic stays F32
     * (activations, accumulation, biases). Each weight moves by at most {@code 2^-8} of itself
     * (more for subnormal weights, below about {@code 1.2e-38}), so outputs differ from the F32
     * plan's by about that relative amount: measure it on your own inputs before serving. Every
     * product then runs the matrix-vector kernel row by row, so for batches of more than a few rows
     * the F32 plan (which keeps the GEMM there) is faster. Convolution weights stay F32.
     * {@link RecurrentPlan#freeze(dev.lanes.nn.RecurrentCell, NonFinitePolicy, CaptureOptions)}
     * takes these options too.
     *
     * @param on whether to keep those weights as BF16
     * @return options with that setting
     */
    public CaptureOptions withBf16Weights(boolean on) {
        return new CaptureOptions(on);
    }

    /** @return whether linear and recurrent weights are kept as BF16 */
    public boolean bf16Weights() {
        return bf16Weights;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaptureOptions c && c.bf16Weights == bf16Weights;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(bf16Weights);
    }

    @Override
    public String toString() {
        return "CaptureOptions(bf16Weights=" + bf16Weights + ")";
    }
}
