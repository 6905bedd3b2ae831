package dev.lanes.nn;

import dev.lanes.autograd.Ops;
import dev.lanes.kernel.internal.Binary;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;

/**
 * How an RNN or LSTM layer or cell that keeps PyTorch's {@code bias_ih} and {@code bias_hh} as
 * two parameters feeds the fused kernels, which take one bias per gate: the pair is added once
 * per call, before the sequence runs, so the kernels and their arithmetic stay exactly those of
 * the one-bias layer. On the tape the addition is its own node, whose backward hands the
 * gradient of the sum to each of the two, as PyTorch computes it.
 */
final class BiasPair {

    private BiasPair() {
    }

    /**
     * @param p W_ih, W_hh, b_ih, b_hh
     * @return W_ih, W_hh and {@code b_ih + b_hh}, recorded on the tape when gradients are on
     */
    static Tensor[] summed(Tensor[] p) {
        return new Tensor[] {p[0], p[1], Ops.add(p[2], p[3])};
    }

    /**
     * {@link #summed} for inference sessions, allocating nothing and recording nothing.
     *
     * @param p   W_ih, W_hh, b_ih, b_hh
     * @param sum receives {@code b_ih + b_hh}, the biases' shape and type
     * @param out receives W_ih, W_hh and {@code sum}, three slots
     * @return out
     */
    static Tensor[] summedInto(Tensor[] p, Tensor sum, Tensor[] out) {
        Dispatch.binary(Binary.ADD, p[2], p[3], sum);
        out[0] = p[0];
        out[1] = p[1];
        out[2] = sum;
        return out;
    }
}
