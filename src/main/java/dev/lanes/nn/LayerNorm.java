package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.LayerNorm}: normalises an input {@code [*, normalizedShape]} over its trailing
 * dimensions {@code normalizedShape}, each slice by its own mean and biased variance, through
 * {@link Ops#layerNorm}: {@code y = (x - mean) / sqrt(var + eps) * weight + bias}. Unlike batch
 * normalisation it keeps no running statistics and behaves the same in training and evaluation.
 *
 * <p>Parameters {@code weight} (ones) and {@code bias} (zeros) of shape {@code normalizedShape}
 * when {@code elementwiseAffine}, under those names in the state dict.
 */
public final class LayerNorm extends Layer {

    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param normalizedShape   the trailing sizes to normalise over: at least one, each >= 0
     * @param eps               added to the variance, finite and > 0
     * @param elementwiseAffine whether to learn {@code weight} and {@code bias}
     * @param dtype             the type of the parameters
     * @throws IllegalArgumentException if {@code normalizedShape} is empty or has a negative size,
     *                                  or {@code eps} is invalid
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalized_shape must have at least one dimension, got "
                    + (normalizedShape == null ? "null" : "[]"));
        }
        for (int d : normalizedShape) {
            if (d < 0) {
                throw new IllegalArgumentException("LayerNorm: normalized_shape " + Arrays.toString(normalizedShape)
                        + " has a negative size");
            }
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("LayerNorm: eps must be finite and > 0, got " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(dtype, normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(dtype, normalizedShape)) : null;
    }

    /** PyTorch's defaults: eps 1e-5, elementwise affine, F32 parameters. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true, DType.F32);
    }

    /** The defaults with parameters of {@code dtype}. */
    public LayerNorm(int[] normalizedShape, DType dtype) {
        this(normalizedShape, 1e-5, true, dtype);
    }

    /**
     * @throws IllegalArgumentException if the input's trailing sizes are not {@code normalizedShape}
     *                                  or its dtype is not the parameters'
     */
    @Override
    public Tensor forward(Tensor input) {
        return Ops.layerNorm(input, normalizedShape, weight == null ? null : weight.tensor(),
                bias == null ? null : bias.tensor(), eps);
    }

    /** @return the weight slot, or null without elementwise affine */
    public Parameter weight() {
        return weight;
    }

    /** @return the bias slot, or null without elementwise affine */
    public Parameter bias() {
        return bias;
    }

    /** @return a copy of the normalised trailing sizes */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** @return the value added to the variance */
    public double eps() {
        return eps;
    }

    /** @return whether the module learns {@code weight} and {@code bias} */
    public boolean elementwiseAffine() {
        return weight != null;
    }

    /** PyTorch prints the shape as a tuple: {@code (3,)}, {@code (3, 4)}. */
    @Override
    protected String extraRepr() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < normalizedShape.length; i++) {
            b.append(i > 0 ? ", " : "").append(normalizedShape[i]);
        }
        b.append(normalizedShape.length == 1 ? ",)" : ")");
        return b + ", eps=" + eps + ", elementwise_affine=" + (weight != null ? "True" : "False");
    }
}
