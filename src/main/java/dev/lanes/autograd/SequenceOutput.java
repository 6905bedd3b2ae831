package dev.lanes.autograd;

import dev.lanes.tensor.Tensor;

/**
 * What a recurrent layer returns, as PyTorch's {@code (output, h_n)} or
 * {@code (output, (h_n, c_n))}.
 *
 * @param output the top layer's hidden state at every step
 * @param hN     the last hidden state of every layer and direction
 * @param cN     the last cell state (LSTM), or null
 */
public record SequenceOutput(Tensor output, Tensor hN, Tensor cN) {
}
