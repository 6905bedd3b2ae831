package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b}, weight {@code [out, in]}, bias {@code [out]}.
 * Initialised as PyTorch does: weight from Kaiming-uniform with {@code a = sqrt(5)}, which is
 * {@code U(-1/sqrt(in), 1/sqrt(in))}, then the bias from the same bound.
 */
public final class Linear extends Layer {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param inFeatures  input size, >= 0
     * @param outFeatures output size, >= 0
     * @param bias        whether to add a bias
     * @param dtype       parameter type
     * @param gen         the source of the initial values
     */
    public Linear(int inFeatures, int outFeatures, boolean bias, DType dtype, Generator gen) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: sizes must be >= 0, got in=" + inFeatures + ", out="
                    + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
        this.weight = registerParameter("weight", Tensor.uniform(gen, dtype, -bound, bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(gen, dtype, -bound, bound, outFeatures)) : null;
    }

    /** An F32 layer with a bias. */
    public Linear(int inFeatures, int outFeatures, Generator gen) {
        this(inFeatures, outFeatures, true, DType.F32, gen);
    }

    /** @return the weight slot */
    public Parameter weight() {
        return weight;
    }

    /** @return the bias slot, or null without a bias */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Ops.linear(input, weight.tensor(), bias == null ? null : bias.tensor());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
    }
}
