package dev.lanes.autograd;

import dev.lanes.kernel.internal.Norms;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Shape;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.StepArena;
import java.util.Arrays;

/**
 * {@code torch.nn.functional.layer_norm}: the input seen as {@code rows x cols}, {@code cols} the
 * product of the normalised (trailing) dimensions, each row normalised by its own mean and biased
 * variance through the fused row kernels of {@link Norms}. The node keeps the input, which is a
 * tape input anyway, and each row's mean and {@code rstd = 1 / sqrt(var + eps)}; the backward
 * pass recomputes the normalised input from them rather than keeping an activation-sized array
 * alive.
 */
final class LayerNormNode extends OwnedGradientNode {

    private static final String OP = "layerNorm";

    private final int rows;
    private final int cols;
    private final boolean hasWeight;
    private final boolean hasBias;
    /** Per row, as the forward pass used them: {@code float[]} for F32 input, {@code double[]} for F64. */
    private Object mean;
    private Object rstd;

    private LayerNormNode(Tensor[] inputs, int rows, int cols, boolean hasWeight, boolean hasBias, Object mean,
                      Object rstd) {
        super(OP, "NativeLayerNormBackward0", inputs);
        this.rows = rows;
        this.cols = cols;
        this.hasWeight = hasWeight;
        this.hasBias = hasBias;
        this.mean = mean;
        this.rstd = rstd;
    }

    static Tensor apply(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        check(x, normalizedShape, weight, bias, eps);
        int cols = Shape.of(normalizedShape).numel();
        int rows = Shape.of(Arrays.copyOf(x.dims(), x.rank() - normalizedShape.length)).numel();
        Tensor y = StepArena.zeros(x.dtype(), x.shape());
        Object mean;
        Object rstd;
        if (x.dtype() == DType.F32) {
            float[] m = new float[rows];
            float[] r = new float[rows];
            Norms.layerNorm(rows, cols, x.f32(), 0, weight == null ? null : weight.f32(), 0,
                    bias == null ? null : bias.f32(), 0, eps, y.f32(), 0, m, 0, r, 0);
            mean = m;
            rstd = r;
        } else {
            double[] m = new double[rows];
            double[] r = new double[rows];
            Norms.layerNorm(rows, cols, x.f64(), 0, weight == null ? null : weight.f64(), 0,
                    bias == null ? null : bias.f64(), 0, eps, y.f64(), 0, m, 0, r, 0);
            mean = m;
            rstd = r;
        }
        Tensor[] inputs = weight == null && bias == null ? new Tensor[] {x}
                : weight == null ? new Tensor[] {x, bias}
                : bias == null ? new Tensor[] {x, weight}
                : new Tensor[] {x, weight, bias};
        return Tape.output(OP, y, () -> new LayerNormNode(inputs, rows, cols, weight != null, bias != null, mean, rstd),
                inputs);
    }

    /** PyTorch's argument checks of {@code layer_norm}, with the shapes in the messages. */
    private static void check(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException(OP + ": expected normalized_shape to have at least one dimension, but got "
                    + (normalizedShape == null ? "null" : "[]"));
        }
        String normalized = Arrays.toString(normalizedShape);
        for (int d : normalizedShape) {
            if (d < 0) {
                throw new IllegalArgumentException(OP + ": normalized_shape " + normalized + " has a negative size");
            }
        }
        int lead = x.rank() - normalizedShape.length;
        boolean matches = lead >= 0;
        for (int i = 0; matches && i < normalizedShape.length; i++) {
            matches = x.size(lead + i) == normalizedShape[i];
        }
        if (!matches) {
            String star = normalized.substring(1, normalized.length() - 1);
            throw new IllegalArgumentException(OP + ": given normalized_shape=" + normalized
                    + ", expected an input of shape [*, " + star + "], but got input of shape " + x.shape());
        }
        parameter("weight", weight, normalizedShape, x);
        parameter("bias", bias, normalizedShape, x);
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(OP + ": eps must be finite and > 0, got " + eps);
        }
    }

    private static void parameter(String name, Tensor p, int[] normalizedShape, Tensor x) {
        if (p == null) {
            return;
        }
        if (!Arrays.equals(p.dims(), normalizedShape)) {
            throw new IllegalArgumentException(OP + ": expected " + name + " of the shape of normalized_shape "
                    + Arrays.toString(normalizedShape) + ", but got " + name + " of shape " + p.shape());
        }
        if (p.dtype() != x.dtype()) {
            throw new IllegalArgumentException(OP + ": " + name + " is " + p.dtype() + " but the input is " + x.dtype());
        }
    }

    /** @param ownsG whether {@code g} is this call's to overwrite: it then becomes {@code dx} */
    @Override
    Tensor[] backward(Tensor g, boolean ownsG) {
        Tensor x = input(0);
        Tensor weight = hasWeight ? input(1) : null;
        int biasSlot = hasWeight ? 2 : 1;
        Tensor dx = needsGrad(0) ? ownsG ? g : StepArena.zeros(g.dtype(), g.shape()) : null;
        Tensor dw = hasWeight && needsGrad(1) ? StepArena.zeros(weight.dtype(), weight.shape()) : null;
        Tensor db = hasBias && needsGrad(biasSlot) ? StepArena.zeros(g.dtype(), input(biasSlot).shape()) : null;
        if (g.dtype() == DType.F32) {
            Norms.layerNormBackward(rows, cols, x.f32(), 0, (float[]) mean, 0, (float[]) rstd, 0,
                    weight == null ? null : weight.f32(), 0, g.f32(), 0, dx == null ? null : dx.f32(), 0,
                    dw == null ? null : dw.f32(), 0, db == null ? null : db.f32(), 0);
        } else {
            Norms.layerNormBackward(rows, cols, x.f64(), 0, (double[]) mean, 0, (double[]) rstd, 0,
                    weight == null ? null : weight.f64(), 0, g.f64(), 0, dx == null ? null : dx.f64(), 0,
                    dw == null ? null : dw.f64(), 0, db == null ? null : db.f64(), 0);
        }
        Tensor[] grads = gradients(dx, hasWeight, dw, hasBias, db);
        return grads;
    }

    @Override
    protected void release() {
        super.release();
        mean = null;
        rstd = null;
    }
}
