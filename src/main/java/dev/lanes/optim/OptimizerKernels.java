package dev.lanes.optim;

import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.UpdateKernels;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;

/** Helpers shared by the optimizers: the kernels in use and dtype checks. */
final class OptimizerKernels {

    private OptimizerKernels() {
    }

    static UpdateKernels kernels() {
        return Providers.provider().updates();
    }

    static boolean f32(String op, Tensor p, Tensor g) {
        if (p.dtype() != g.dtype() || !p.shape().equals(g.shape())) {
            throw new IllegalStateException(op + ": gradient " + g.dtype() + " " + g.shape() + " does not match parameter "
                    + p.dtype() + " " + p.shape());
        }
        return p.dtype() == DType.F32;
    }

    static float[] f(Tensor t) {
        return t == null ? null : t.f32();
    }

    static double[] d(Tensor t) {
        return t == null ? null : t.f64();
    }
}
