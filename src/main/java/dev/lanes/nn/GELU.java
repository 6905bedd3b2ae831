package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.GELU(approximate='none')}: {@code x * Phi(x)}, Phi the standard normal CDF; with
 * {@code approximate = "tanh"}, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. No
 * parameters.
 */
public final class GELU extends Layer {

    private final String approximate;

    /** The exact form. */
    public GELU() {
        this("none");
    }

    /**
     * @param approximate {@code "none"} (exact) or {@code "tanh"}
     * @throws IllegalArgumentException for any other value
     */
    public GELU(String approximate) {
        // PyTorch accepts any string here and fails at the first forward; failing now is kinder.
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        }
        this.approximate = approximate;
    }

    /** @return {@code "none"} or {@code "tanh"} */
    public String approximate() {
        return approximate;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.gelu(input, approximate);
    }
}
