package dev.lanes.nn;

import dev.lanes.tensor.Tensor;

/**
 * The state of an LSTM cell, PyTorch's {@code (h, c)} pair.
 *
 * @param h the hidden state
 * @param c the cell state
 */
public record LstmState(Tensor h, Tensor c) {
}
