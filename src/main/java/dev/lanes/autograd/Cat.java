package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import dev.lanes.tensor.internal.GradFn;
import dev.lanes.tensor.internal.StepArena;
import java.util.List;

/** Concatenation along one dimension; backward hands each input its slice of the gradient. */
final class Cat extends GradFn implements Lowerable {

    private final int dim;

    private Cat(Tensor[] inputs, int dim, String torchName) {
        super("cat", torchName, inputs);
        this.dim = dim;
    }

    static Tensor apply(List<Tensor> tensors, int dim, String op, String torchName) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException(op + ": expected a non-empty list of tensors");
        }
        Tensor[] in = tensors.toArray(new Tensor[0]);
        Dispatch.sameDType(op, in);
        Tensor first = in[0];
        int d = first.shape().normalize(op, dim);
        int total = 0;
        for (int t = 0; t < in.length; t++) {
            if (in[t].rank() != first.rank()) {
                throw new IllegalArgumentException(op + ": tensor " + t + " has shape " + in[t].shape()
                        + ", tensor 0 has " + first.shape() + " (ranks differ)");
            }
            for (int i = 0; i < first.rank(); i++) {
                if (i != d && in[t].size(i) != first.size(i)) {
                    throw new IllegalArgumentException(op + ": sizes must match except in dimension " + dim
                            + ", but tensor " + t + " has shape " + in[t].shape() + " and tensor 0 " + first.shape());
                }
            }
            total += in[t].size(d);
        }
        int[] dims = first.dims();
        dims[d] = total;
        Tensor y = StepArena.zeros(first.dtype(), dims);
        int outer = 1;
        for (int i = 0; i < d; i++) {
            outer *= dims[i];
        }
        int inner = 1;
        for (int i = d + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        int at = 0;
        for (Tensor t : in) {
            place(Dispatch.storage(t), 0, Dispatch.storage(y), at * inner, outer, t.size(d) * inner, total * inner);
            at += t.size(d);
        }
        return Tape.output(op, y, () -> new Cat(in, d, torchName), in);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        int n = g.rank();
        int outer = 1;
        for (int i = 0; i < dim; i++) {
            outer *= g.size(i);
        }
        int inner = 1;
        for (int i = dim + 1; i < n; i++) {
            inner *= g.size(i);
        }
        int total = g.size(dim);
        Tensor[] grads = new Tensor[inputCount()];
        int at = 0;
        for (int t = 0; t < grads.length; t++) {
            Tensor x = input(t);
            int chunk = x.size(dim) * inner;
            if (needsGrad(t)) {
                Tensor gx = StepArena.zeros(x.dtype(), x.shape());
                for (int o = 0; o < outer; o++) {
                    Dispatch.copy(g, o * total * inner + at * inner, gx, o * chunk, chunk);
                }
                grads[t] = gx;
            }
            at += x.size(dim);
        }
        return grads;
    }

    /** The eager copies ({@link #place}) on the arena. */
    @Override
    public void lower(Lowering l) {
        int parts = inputCount();
        Slot[] in = new Slot[parts];
        int[] sizes = new int[parts];
        for (int t = 0; t < parts; t++) {
            in[t] = l.in(input(t));
            sizes[t] = input(t).size(dim);
        }
        Slot y = l.out();
        int[] dims = y.dims();
        int outer = 1;
        for (int i = 0; i < dim; i++) {
            outer *= dims[i];
        }
        int inner = 1;
        for (int i = dim + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        int total = dims[dim];
        int rows = outer;
        int run = inner;
        l.step(mem -> {
            int at = 0;
            for (int t = 0; t < parts; t++) {
                place(mem, in[t].at(), mem, y.at() + at * run, rows, sizes[t] * run, total * run);
                at += sizes[t];
            }
        });
    }

    /** Copies {@code rows} chunks of {@code chunk} elements, contiguous in {@code src}, every {@code stride} in {@code dst}. */
    private static void place(Object src, int srcOff, Object dst, int dstOff, int rows, int chunk, int stride) {
        for (int o = 0; o < rows; o++) {
            System.arraycopy(src, srcOff + o * chunk, dst, dstOff + o * stride, chunk);
        }
    }
}
