package dev.lanes.autograd;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Binary;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The differentiable operations. Each returns a new tensor and, when an input requires grad and
 * no {@link NoGrad} scope is open, records how to differentiate it, so that
 * {@link Tensor#backward()} can. Arguments follow PyTorch's functions of the same name;
 * elementwise operations broadcast with NumPy's rules; mixing F32 and F64 is an error.
 *
 * <p>Import statically for formulas that read like the maths:
 * {@code sum(mul(sigmoid(matmul(x, w)), y))}.
 */
public final class Ops {

    /** The maximum along a dimension and its index (the first one, NaN counting as largest). */
    public record MaxResult(Tensor values, int[] indices) {
    }

    private Ops() {
    }

    /** {@code a + b}, broadcasting. */
    public static Tensor add(Tensor a, Tensor b) {
        return Arithmetic.apply(Binary.ADD, a, b);
    }

    /** {@code a + c} for a constant. */
    public static Tensor add(Tensor a, double c) {
        return Arithmetic.apply(Binary.ADD, a, Tensor.scalar(a.dtype(), c));
    }

    /** {@code a - b}, broadcasting. */
    public static Tensor sub(Tensor a, Tensor b) {
        return Arithmetic.apply(Binary.SUB, a, b);
    }

    /** {@code a * b} elementwise (the Hadamard product), broadcasting. */
    public static Tensor mul(Tensor a, Tensor b) {
        return Arithmetic.apply(Binary.MUL, a, b);
    }

    /** {@code a * c} for a constant. */
    public static Tensor mul(Tensor a, double c) {
        return Arithmetic.apply(Binary.MUL, a, Tensor.scalar(a.dtype(), c));
    }

    /** {@code a / b}, broadcasting. */
    public static Tensor div(Tensor a, Tensor b) {
        return Arithmetic.apply(Binary.DIV, a, b);
    }

    /** {@code -x}. */
    public static Tensor neg(Tensor x) {
        return Neg.apply(x);
    }

    /** {@code x^p} for a constant exponent. */
    public static Tensor pow(Tensor x, double p) {
        return Pow.apply(x, p);
    }

    /** {@code torch.matmul}: matrix products, 1-D operands promoted, batch dimensions broadcast. */
    public static Tensor matmul(Tensor a, Tensor b) {
        return MatMul.apply(a, b);
    }

    /**
     * {@code torch.nn.functional.embedding}: the rows of {@code weight [num_embeddings, dim]} for
     * the ids, giving {@code [ids shape..., dim]}. The ids are whole numbers held in a tensor of
     * either dtype (F32 holds every id below 2^24 exactly); they get no gradient.
     *
     * @throws IllegalArgumentException when the weight is not 2-d or an id is not a whole number
     *                                  in {@code [0, num_embeddings)} (its position named)
     */
    public static Tensor embedding(Tensor ids, Tensor weight) {
        return EmbeddingNode.apply(ids, weight);
    }

    /** {@code x W^T + b} ({@code b} may be null), as {@code torch.nn.functional.linear}. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        return LinearNode.apply(x, w, b);
    }

    /**
     * {@code torch.nn.functional.conv2d}: a 2-D cross-correlation of {@code x [N, C_in, H, W]} with
     * {@code w [C_out, C_in/groups, kH, kW]} plus {@code b [C_out]} (may be null), with zero
     * padding; the output is {@code [N, C_out, H_out, W_out]},
     * {@code H_out = floor((H + 2 padding[0] - dilation[0] (kH - 1) - 1) / stride[0]) + 1}.
     *
     * @param stride   {height, width}, each > 0
     * @param padding  {height, width}, each >= 0
     * @param dilation {height, width}, each > 0
     * @param groups   > 0, dividing C_in and C_out
     * @throws IllegalArgumentException naming the shapes when they do not fit
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return Conv2dNode.apply(x, w, b, stride, padding, dilation, groups);
    }

    /**
     * {@code F.conv1d}: {@code x [N, C_in, L]} (or unbatched {@code [C_in, L]}) with
     * {@code w [C_out, C_in/groups, k]} plus {@code b [C_out]} (may be null), zero padding,
     * {@code L_out = floor((L + 2 padding - dilation (k - 1) - 1) / stride) + 1}. Computed as a
     * two-dimensional convolution of height 1, so it shares that path's kernels and checks.
     *
     * @param stride   > 0
     * @param padding  >= 0
     * @param dilation > 0
     * @param groups   > 0, dividing C_in and C_out
     * @throws IllegalArgumentException naming the shapes when they do not fit
     */
    public static Tensor conv1d(Tensor x, Tensor w, Tensor b, int stride, int padding, int dilation, int groups) {
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException("conv1d: expected an input [N, C, L] or [C, L], got " + x.shape());
        }
        if (w.rank() != 3) {
            throw new IllegalArgumentException("conv1d: expected a weight [C_out, C_in/groups, k], got " + w.shape());
        }
        boolean batched = x.rank() == 3;
        int n = batched ? x.size(0) : 1;
        int channels = x.size(batched ? 1 : 0);
        int length = x.size(batched ? 2 : 1);
        if (groups < 1 || stride < 1 || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException("conv1d: stride, dilation and groups must be >= 1 and padding >= 0, got "
                    + stride + ", " + dilation + ", " + groups + " and " + padding);
        }
        if (w.size(1) * groups != channels || w.size(0) % groups != 0) {
            throw new IllegalArgumentException("conv1d: weight " + w.shape() + " with groups=" + groups
                    + " does not fit an input of " + channels + " channels (" + x.shape() + ")");
        }
        if (length + 2L * padding - (long) dilation * (w.size(2) - 1) - 1 < 0) {
            throw new IllegalArgumentException("conv1d: the input " + x.shape() + " padded by " + padding
                    + " is shorter than the kernel of size " + w.size(2) + " dilated by " + dilation);
        }
        Tensor x4 = reshape(x, n, channels, 1, length);
        Tensor w4 = reshape(w, w.size(0), w.size(1), 1, w.size(2));
        Tensor y = Conv2dNode.apply(x4, w4, b, new int[] {1, stride}, new int[] {0, padding}, new int[] {1, dilation},
                groups);
        return batched ? reshape(y, n, y.size(1), y.size(3)) : reshape(y, y.size(1), y.size(3));
    }

    /** The logistic function {@code 1 / (1 + e^-x)}. */
    public static Tensor sigmoid(Tensor x) {
        return Activate.apply(Activation.SIGMOID, x);
    }

    /** The hyperbolic tangent. */
    public static Tensor tanh(Tensor x) {
        return Activate.apply(Activation.TANH, x);
    }

    /** {@code max(x, 0)}. */
    public static Tensor relu(Tensor x) {
        return Activate.apply(Activation.RELU, x);
    }

    /** GELU, exact form: {@code x * Phi(x)} with Phi the standard normal CDF ({@code F.gelu(x)}). */
    public static Tensor gelu(Tensor x) {
        return Pointwise.apply(PointwiseOp.GELU, x);
    }

    /**
     * GELU as {@code F.gelu(x, approximate=...)}: {@code "none"} is the exact form, {@code "tanh"}
     * is {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
     *
     * @throws IllegalArgumentException for any other {@code approximate}
     */
    public static Tensor gelu(Tensor x, String approximate) {
        return Pointwise.apply(geluForm(approximate), x);
    }

    /** @return the operation for GELU's {@code approximate} argument */
    static PointwiseOp geluForm(String approximate) {
        return switch (approximate == null ? "null" : approximate) {
            case "none" -> PointwiseOp.GELU;
            case "tanh" -> PointwiseOp.GELU_TANH;
            default -> throw new IllegalArgumentException("gelu: approximate must be 'none' or 'tanh', got '"
                    + approximate + "'");
        };
    }

    /** SiLU (swish): {@code x * sigmoid(x)} ({@code F.silu}). */
    public static Tensor silu(Tensor x) {
        return Pointwise.apply(PointwiseOp.SILU, x);
    }

    /** {@code e^x}. */
    public static Tensor exp(Tensor x) {
        return Activate.apply(Activation.EXP, x);
    }

    /** The natural logarithm. */
    public static Tensor log(Tensor x) {
        return Log.apply(x);
    }

    /** The sum of all elements, a scalar. */
    public static Tensor sum(Tensor x) {
        return Sum.apply(x, false, false);
    }

    /** The sum over the given dimensions, kept as size 1 when {@code keepdim}. */
    public static Tensor sum(Tensor x, boolean keepdim, int... dims) {
        requireDims("sum", dims);
        return Sum.apply(x, false, keepdim, dims);
    }

    /** The mean of all elements, a scalar. */
    public static Tensor mean(Tensor x) {
        return Sum.apply(x, true, false);
    }

    /** The mean over the given dimensions, kept as size 1 when {@code keepdim}. */
    public static Tensor mean(Tensor x, boolean keepdim, int... dims) {
        requireDims("mean", dims);
        return Sum.apply(x, true, keepdim, dims);
    }

    private static void requireDims(String op, int[] dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException(op + ": give at least one dimension (or call " + op + "(x) for all)");
        }
    }

    /** The maximum along {@code dim} and where it is, as {@code torch.max(x, dim, keepdim)}. */
    public static MaxResult max(Tensor x, int dim, boolean keepdim) {
        return Max.apply(x, dim, keepdim);
    }

    /** The same elements in another shape (one size may be -1); shares storage. */
    public static Tensor reshape(Tensor x, int... dims) {
        return Reshape.apply(x, dims);
    }

    /** Swaps two dimensions (in new storage). */
    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        return Permute.transpose(x, dim0, dim1);
    }

    /** Reorders the dimensions: result dimension i is x's dimension {@code dims[i]}. */
    public static Tensor permute(Tensor x, int... dims) {
        return Permute.apply(x, dims, "permute", "PermuteBackward0");
    }

    /** {@code x[start:end:step]} along {@code dim}, with Python's slice rules. */
    public static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        return Slice.apply(x, dim, start, end, step);
    }

    /** {@code length} indices from {@code start} along {@code dim}, which must fit. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        return Slice.narrow(x, dim, start, length);
    }

    /**
     * {@code x[:, :, ::stride, ::stride]} of an NCHW tensor with {@code before} zero channels in
     * front and {@code after} behind: the option-A ResNet shortcut, as one op with the values and
     * gradients of slicing and {@link #cat} with zero tensors.
     *
     * @throws IllegalArgumentException if {@code x} is not 4-d, {@code stride < 1} or a padding is negative
     */
    public static Tensor subsamplePadChannels(Tensor x, int stride, int before, int after) {
        return SubsamplePadChannels.apply(x, stride, before, after);
    }

    /** Concatenation along an existing dimension. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Cat.apply(tensors, dim, "cat", "CatBackward0");
    }

    /** Stacks same-shaped tensors along a new dimension. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        }
        int rank = tensors.get(0).rank() + 1;
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException("stack: dimension " + dim + " is out of range for " + rank
                    + " dimensions");
        }
        List<Tensor> unsqueezed = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!t.shape().equals(tensors.get(0).shape())) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + t.shape()
                        + ", tensor 0 has " + tensors.get(0).shape());
            }
            int[] dims = new int[rank];
            for (int j = 0, k = 0; j < rank; j++) {
                dims[j] = j == d ? 1 : t.size(k++);
            }
            unsqueezed.add(reshape(t, dims));
        }
        return Cat.apply(unsqueezed, d, "stack", "StackBackward0");
    }

    /** Softmax along {@code dim}. */
    public static Tensor softmax(Tensor x, int dim) {
        return Softmax.apply(x, dim, false);
    }

    /** Log-softmax along {@code dim}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return Softmax.apply(x, dim, true);
    }

    /**
     * {@code torch.nn.functional.dropout(x, p, training=True)}: zeroes each element with
     * probability {@code p} (drawn from {@code gen}) and scales the rest by {@code 1 / (1 - p)}.
     */
    public static Tensor dropout(Tensor x, double p, Generator gen) {
        return DropoutNode.apply(x, p, gen);
    }

    /**
     * {@code torch.nn.functional.batch_norm} over an input {@code [N, C, *]}, as one tape node
     * (gradients for {@code x}, {@code weight} and {@code bias}). Training mode normalises each
     * channel with the batch mean and biased variance and, when the running statistics are given,
     * updates them in place: {@code r = (1 - momentum) r + momentum stat}, with the unbiased
     * variance for {@code runningVar}. Evaluation mode normalises with the running statistics.
     *
     * @param runningMean {@code [C]}, or null (only in training mode)
     * @param runningVar  {@code [C]}, or null together with {@code runningMean}
     * @param weight      {@code [C]} scale, or null for 1
     * @param bias        {@code [C]} shift, or null for 0
     * @param momentum    the running-statistics update factor (PyTorch's default is 0.1)
     * @param eps         added to the variance, > 0 (PyTorch's default is 1e-5)
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return BatchNormNode.apply(x, null, false, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /**
     * {@code relu(batchNorm(x, ...) + residual)}, the tail of a residual block (or, with a null
     * residual, the batch norm and ReLU after a convolution), as one tape node. The result and the
     * gradients are those of the separate {@link #batchNorm}, {@link #add} and {@link #relu}, bit
     * for bit; the addition and the ReLU take no pass over the data of their own forward, one
     * masking pass backward, and neither the sum nor the pre-activation is kept. The
     * arguments are those of {@link #batchNorm}.
     *
     * @param residual added before the ReLU, of {@code x}'s shape and dtype, or null
     * @throws IllegalArgumentException as {@link #batchNorm}, or when the residual does not match
     */
    public static Tensor batchNormRelu(Tensor x, Tensor residual, Tensor runningMean, Tensor runningVar,
                                       Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
        return BatchNormNode.apply(x, residual, true, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /**
     * {@code torch.nn.functional.layer_norm}: normalises over the trailing dimensions given by
     * {@code normalizedShape}, each slice by its own mean and biased variance,
     * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, as one tape node (gradients for
     * {@code x}, {@code weight} and {@code bias}). The same bits for any thread count.
     *
     * @param normalizedShape the trailing sizes of {@code x} to normalise over, at least one
     * @param weight          scale of shape {@code normalizedShape}, or null for 1
     * @param bias            shift of shape {@code normalizedShape}, or null for 0
     * @param eps             added to the variance, finite and > 0 (PyTorch's default is 1e-5)
     * @throws IllegalArgumentException when {@code normalizedShape} is not the trailing sizes of
     *                                  {@code x}, a parameter's shape or dtype does not match, or
     *                                  {@code eps} is invalid; the message names the shapes
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return LayerNormNode.apply(x, normalizedShape, weight, bias, eps);
    }

    /**
     * {@code torch.nn.functional.max_pool2d} on {@code [N, C, H, W]}, padding with {@code -inf};
     * the gradient goes to the first maximum of each window in row-major scan order.
     *
     * @param kernel   {@code (kh, kw)}, >= 1
     * @param stride   {@code (sh, sw)}, >= 1; null or empty for the kernel size
     * @param padding  {@code (ph, pw)}, at most half the kernel
     * @param dilation {@code (dh, dw)}, >= 1
     * @param ceilMode whether the output size rounds up, as PyTorch's {@code ceil_mode}
     */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return MaxPool2dNode.apply(x, kernel, stride, padding, dilation, ceilMode);
    }

    /**
     * {@code torch.nn.functional.avg_pool2d} on {@code [N, C, H, W]} (without
     * {@code divisor_override}).
     *
     * @param kernel          {@code (kh, kw)}, >= 1
     * @param stride          {@code (sh, sw)}, >= 1; null or empty for the kernel size
     * @param padding         {@code (ph, pw)} of zeros, at most half the kernel
     * @param ceilMode        whether the output size rounds up
     * @param countIncludePad whether the padding counts in the divisor (PyTorch's default: true)
     */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return AvgPool2dNode.apply(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /**
     * {@code torch.nn.functional.adaptive_avg_pool2d} on {@code [N, C, H, W]}: output cell
     * {@code (i, j)} averages rows {@code floor(i H / oh)} to {@code ceil((i + 1) H / oh)} and the
     * same columns.
     *
     * @param outputSize {@code (oh, ow)}, >= 1
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int... outputSize) {
        return AdaptiveAvgPool2dNode.apply(x, outputSize);
    }

    /**
     * One direction of a simple RNN layer over a sequence, as one fused tape node:
     * {@code h_t = f(x_t W_ih^T + h_{t-1} W_hh^T + b)}.
     *
     * @param x          input {@code [T, B, d]}
     * @param h0         initial state {@code [B, N]}
     * @param wIh        {@code [N, d]}
     * @param wHh        {@code [N, N]}
     * @param bias       {@code [N]}, or null for none
     * @param activation {@link Activation#TANH}, {@link Activation#RELU} or {@link Activation#SIGMOID}
     * @param reverse    whether to run from the last step to the first (the backward direction)
     * @return output {@code [T, B, N]} and the last state {@code [B, N]} (no cell state)
     */
    public static SequenceOutput rnnLayer(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bias,
                                          Activation activation, boolean reverse) {
        return RnnLayer.apply(x, h0, wIh, wHh, bias, activation, reverse);
    }

    /**
     * One direction of an LSTM layer over a sequence, as one fused tape node, with PyTorch's
     * equations and gate order (i, f, g, o) and one bias per gate.
     *
     * @param x       input {@code [T, B, d]}
     * @param h0      initial hidden state {@code [B, N]}
     * @param c0      initial cell state {@code [B, N]}
     * @param wIh     {@code [4N, d]}
     * @param wHh     {@code [4N, N]}
     * @param bias    {@code [4N]} (PyTorch's {@code b_ih + b_hh}), or null for none
     * @param reverse whether to run from the last step to the first
     * @return output {@code [T, B, N]}, last hidden and cell states {@code [B, N]}
     */
    public static SequenceOutput lstmLayer(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bias,
                                           boolean reverse) {
        return LstmLayer.apply(x, h0, c0, wIh, wHh, bias, reverse);
    }

    /**
     * One direction of a GRU layer over a sequence, as one fused tape node, with PyTorch's
     * equations and gate order (r, z, n).
     *
     * @param x       input {@code [T, B, d]}
     * @param h0      initial state {@code [B, N]}
     * @param wIh     {@code [3N, d]}
     * @param wHh     {@code [3N, N]}
     * @param bIh     {@code [3N]}, or null (then {@code bHh} must be null too)
     * @param bHh     {@code [3N]}, or null
     * @param reverse whether to run from the last step to the first
     * @return output {@code [T, B, N]} and the last state {@code [B, N]} (no cell state)
     */
    public static SequenceOutput gruLayer(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                                          boolean reverse) {
        return GruLayer.apply(x, h0, wIh, wHh, bIh, bHh, reverse);
    }
}
