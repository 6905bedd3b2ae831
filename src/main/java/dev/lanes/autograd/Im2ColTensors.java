package dev.lanes.autograd;

import dev.lanes.kernel.internal.ConvGeometry;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;

/** {@link dev.lanes.kernel.internal.Im2Col} on tensors of either precision. */
final class Im2ColTensors {

    private Im2ColTensors() {
    }

    /** The full columns matrix of the group whose channels start at {@code xOff}. */
    static void im2col(ConvGeometry g, Tensor x, int xOff, Tensor cols, int colsOff) {
        im2col(g, x, xOff, 0, g.k(), cols, colsOff);
    }

    /** Rows {@code [rowStart, rowEnd)} of the columns matrix, from {@code colsOff}. */
    static void im2col(ConvGeometry g, Tensor x, int xOff, int rowStart, int rowEnd, Tensor cols, int colsOff) {
        if (x.dtype() == DType.F32) {
            dev.lanes.kernel.internal.Im2Col.im2col(g, x.f32(), xOff, rowStart, rowEnd, cols.f32(), colsOff);
        } else {
            dev.lanes.kernel.internal.Im2Col.im2col(g, x.f64(), xOff, rowStart, rowEnd, cols.f64(), colsOff);
        }
    }

    /** Adds the columns matrix at {@code colsOff} back into {@code dx} from {@code dxOff}. */
    static void col2im(ConvGeometry g, Tensor cols, int colsOff, Tensor dx, int dxOff) {
        if (dx.dtype() == DType.F32) {
            dev.lanes.kernel.internal.Im2Col.col2im(g, cols.f32(), colsOff, dx.f32(), dxOff);
        } else {
            dev.lanes.kernel.internal.Im2Col.col2im(g, cols.f64(), colsOff, dx.f64(), dxOff);
        }
    }
}
