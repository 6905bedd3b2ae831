package dev.lanes.nn;

import dev.lanes.tensor.DType;

/**
 * The arguments of a recurrent layer, with PyTorch's names and defaults: {@code numLayers = 1},
 * {@code bias = true}, {@code batchFirst = false}, {@code dropout = 0},
 * {@code bidirectional = false}; parameters in F32; and one Lanes option,
 * {@code separateBiases = false}.
 *
 * <p>By default RNN and LSTM layers keep one bias per gate, as their equations count it, where
 * PyTorch keeps two ({@code bias_ih} and {@code bias_hh}) that only ever appear as their sum.
 * The outputs are the same, but training is not: an optimizer moves each of PyTorch's two by the
 * gradient of the sum, so their sum moves twice as far per step, and weight decay pulls on each.
 * {@link #withSeparateBiases(boolean) withSeparateBiases(true)} keeps PyTorch's two as separate
 * parameters, so a PyTorch training recipe (learning rate, momentum, weight decay) gives
 * PyTorch's trajectory.
 *
 * @param inputSize      features per step of the input, >= 1
 * @param hiddenSize     features of the hidden state, >= 1
 * @param numLayers      stacked layers, >= 1
 * @param bias           whether the layers have biases
 * @param batchFirst     whether input and output are {@code [B, T, .]} instead of {@code [T, B, .]}
 *                       (the states stay {@code [layers * directions, B, N]}, as in PyTorch)
 * @param dropout        the dropout probability on the outputs of every layer but the last, in
 *                       training mode only, in [0, 1]
 * @param bidirectional  whether each layer also runs from the last step to the first
 * @param dtype          the parameters' type
 * @param separateBiases whether RNN and LSTM layers with biases keep PyTorch's {@code bias_ih_lK}
 *                       and {@code bias_hh_lK} as two trainable parameters, added for the
 *                       kernels, instead of their sum (PyTorch's parameter count then); GRU
 *                       always keeps both, and without biases there are none to keep
 */
public record RecurrentOptions(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                               double dropout, boolean bidirectional, DType dtype, boolean separateBiases) {

    /** Validates the values. */
    public RecurrentOptions {
        if (inputSize < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException("input_size and hidden_size must be >= 1, got input_size=" + inputSize
                    + ", hidden_size=" + hiddenSize);
        }
        if (numLayers < 1) {
            throw new IllegalArgumentException("num_layers must be >= 1, got " + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("dropout should be a number in range [0, 1] representing the"
                    + " probability of an element being zeroed, got " + dropout);
        }
        if (dtype == null) {
            throw new NullPointerException("dtype is null");
        }
    }

    /** The options without {@code separateBiases} (off), as before that option existed. */
    public RecurrentOptions(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                            double dropout, boolean bidirectional, DType dtype) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, false);
    }

    /** @return the defaults for these sizes */
    public static RecurrentOptions of(int inputSize, int hiddenSize) {
        return new RecurrentOptions(inputSize, hiddenSize, 1, true, false, 0, false, DType.F32, false);
    }

    /** @return a copy with {@code numLayers} changed */
    public RecurrentOptions withNumLayers(int n) {
        return new RecurrentOptions(inputSize, hiddenSize, n, bias, batchFirst, dropout, bidirectional, dtype,
                separateBiases);
    }

    /** @return a copy with {@code bias} changed */
    public RecurrentOptions withBias(boolean on) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, on, batchFirst, dropout, bidirectional, dtype,
                separateBiases);
    }

    /** @return a copy with {@code batchFirst} changed */
    public RecurrentOptions withBatchFirst(boolean on) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, on, dropout, bidirectional, dtype,
                separateBiases);
    }

    /** @return a copy with {@code dropout} changed */
    public RecurrentOptions withDropout(double p) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, p, bidirectional, dtype,
                separateBiases);
    }

    /** @return a copy with {@code bidirectional} changed */
    public RecurrentOptions withBidirectional(boolean on) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, on, dtype,
                separateBiases);
    }

    /** @return a copy with {@code dtype} changed */
    public RecurrentOptions withDType(DType type) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, type,
                separateBiases);
    }

    /**
     * @return a copy with {@code separateBiases} changed: whether RNN and LSTM layers keep
     *         PyTorch's two biases per layer and direction as separate parameters
     */
    public RecurrentOptions withSeparateBiases(boolean on) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype,
                on);
    }

    /** @return 2 when bidirectional, else 1 */
    public int directions() {
        return bidirectional ? 2 : 1;
    }
}
