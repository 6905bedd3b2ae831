package dev.lanes.nn;

import dev.lanes.tensor.DType;

/**
 * The arguments of a recurrent layer, with PyTorch's names and defaults: {@code numLayers = 1},
 * {@code bias = true}, {@code batchFirst = false}, {@code dropout = 0},
 * {@code bidirectional = false}; parameters in F32.
 *
 * @param inputSize     features per step of the input, >= 1
 * @param hiddenSize    features of the hidden state, >= 1
 * @param numLayers     stacked layers, >= 1
 * @param bias          whether the layers have biases
 * @param batchFirst    whether input and output are {@code [B, T, .]} instead of {@code [T, B, .]}
 *                      (the states stay {@code [layers * directions, B, N]}, as in PyTorch)
 * @param dropout       the dropout probability on the outputs of every layer but the last, in
 *                      training mode only, in [0, 1]
 * @param bidirectional whether each layer also runs from the last step to the first
 * @param dtype         the parameters' type
 */
public record RecurrentOptions(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                               double dropout, boolean bidirectional, DType dtype) {

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

    /** @return the defaults for these sizes */
    public static RecurrentOptions of(int inputSize, int hiddenSize) {
        return new RecurrentOptions(inputSize, hiddenSize, 1, true, false, 0, false, DType.F32);
    }

    /** @return a copy with {@code numLayers} changed */
    public RecurrentOptions withNumLayers(int n) {
        return new RecurrentOptions(inputSize, hiddenSize, n, bias, batchFirst, dropout, bidirectional, dtype);
    }

    /** @return a copy with {@code bias} changed */
    public RecurrentOptions withBias(boolean on) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, on, batchFirst, dropout, bidirectional, dtype);
    }

    /** @return a copy with {@code batchFirst} changed */
    public RecurrentOptions withBatchFirst(boolean on) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, on, dropout, bidirectional, dtype);
    }

    /** @return a copy with {@code dropout} changed */
    public RecurrentOptions withDropout(double p) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, p, bidirectional, dtype);
    }

    /** @return a copy with {@code bidirectional} changed */
    public RecurrentOptions withBidirectional(boolean on) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, on, dtype);
    }

    /** @return a copy with {@code dtype} changed */
    public RecurrentOptions withDType(DType type) {
        return new RecurrentOptions(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, type);
    }

    /** @return 2 when bidirectional, else 1 */
    public int directions() {
        return bidirectional ? 2 : 1;
    }
}
