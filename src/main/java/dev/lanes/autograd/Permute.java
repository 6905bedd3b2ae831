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

    /** The eager walk ({@link DataMovement#gather}) on the arena. */
    @Override
    public void lower(Lowering l) {
        Tensor x0 = input(0);
        int[] inStrides = x0.shape().strides();
        // Input dimension i is output dimension inverse[i].
        int[] strides = new int[x0.rank()];
        for (int i = 0; i < strides.length; i++) {
            strides[inverse[i]] = inStrides[i];
        }
        Slot x = l.in(x0);
        Slot y = l.out();
        int[] outDims = y.dims();
        l.step(mem -> DataMovement.gather(mem, x.at(), mem, y.at(), outDims, strides));
    }
}
