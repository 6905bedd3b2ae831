package dev.lanes.autograd;

import dev.lanes.autograd.internal.Lowerable;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Slot;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.DataMovement;
import dev.lanes.tensor.internal.GradFn;

/**
 * Reorders dimensions ({@code permute}, {@code transpose}), materialised in new storage;
 * backward applies the inverse order.
 */
final class Permute extends GradFn implements Lowerable {

    private final int[] inverse;

    private Permute(Tensor x, int[] perm, String torchName) {
        super("permute", torchName, x);
        inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[perm[i]] = i;
        }
    }

    static Tensor apply(Tensor x, int[] dims, String op, String torchName) {
        if (dims.length != x.rank()) {
            throw new IllegalArgumentException(op + ": " + dims.length + " dimensions given for shape " + x.shape());
        }
        int[] perm = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            perm[i] = x.shape().normalize(op, dims[i]);
            if (seen[perm[i]]) {
                throw new IllegalArgumentException(op + ": dimension " + dims[i] + " repeats in "
                        + java.util.Arrays.toString(dims));
            }
            seen[perm[i]] = true;
        }
        Tensor y = DataMovement.permute(x, perm);
        return Tape.output(op, y, () -> new Permute(x, perm, torchName), x);
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int a = x.shape().normalize("transpose", d0);
        int b = x.shape().normalize("transpose", d1);
        perm[a] = b;
        perm[b] = a;
        return apply(x, perm, "transpose", "TransposeBackward0");
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {DataMovement.permute(g, inverse)};
    }

    /** Element by element in the output's order, reading each from its permuted position (only copies). */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        int rank = x0.rank();
        int[] inDims = x0.dims();
        int[] inStrides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; i--) {
            inStrides[i] = s;
            s *= inDims[i];
        }
        Slot x = l.in(x0);
        Slot y = l.out();
        int[] outDims = y.dims();
        // Output dimension i is input dimension perm[i], the inverse of the saved inverse.
        int[] strides = new int[rank];
        for (int i = 0; i < rank; i++) {
            strides[inverse[i]] = inStrides[i];
        }
        int n = y.size();
        int last = rank - 1;
        l.step(mem -> {
            if (n == 0) {
                return;
            }
            int xOff = x.at();
            int yOff = y.at();
            int inner = rank == 0 ? 1 : outDims[last];
            int innerStride = rank == 0 ? 0 : strides[last];
            for (int o = 0; o < n; o += inner) {
                // The input position of output element o, from its index along each outer dimension.
                int src = 0;
                int rest = o / inner;
                for (int i = last - 1; i >= 0; i--) {
                    src += rest % outDims[i] * strides[i];
                    rest /= outDims[i];
                }
                for (int j = 0; j < inner; j++) {
                    mem[yOff + o + j] = mem[xOff + src + j * innerStride];
                }
            }
        });
    }
}
