package dev.lanes.optim;

import dev.lanes.kernel.internal.Reductions;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.Dispatch;
import java.util.ArrayList;
import java.util.List;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class GradClip {

    private GradClip() {
    }

    /**
     * Scales all gradients by {@code min(1, maxNorm / (total + 1e-6))}, where {@code total} is the
     * {@code normType}-norm of the norms of every gradient ({@code Double.POSITIVE_INFINITY} for the
     * max norm). Parameters without a gradient are skipped.
     *
     * @return the total norm before clipping (0 when no parameter has a gradient)
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        if (!(normType > 0)) {
            throw new IllegalArgumentException("clipGradNorm: norm_type must be > 0, got " + normType);
        }
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            if (p.grad() != null) {
                grads.add(p.grad());
            }
        }
        if (grads.isEmpty()) {
            return 0;
        }
        double total = 0;
        for (Tensor g : grads) {
            double norm = norm(g, normType);
            total = Double.isInfinite(normType) ? Math.max(total, norm) : total + Math.pow(norm, normType);
        }
        if (!Double.isInfinite(normType)) {
            total = Math.pow(total, 1 / normType);
        }
        double coef = Math.min(1.0, maxNorm / (total + 1e-6));
        for (Tensor g : grads) {
            Dispatch.scale(coef, g, g);
        }
        return total;
    }

    private static double norm(Tensor g, double type) {
        if (Double.isInfinite(type)) {
            double m = 0;
            for (int i = 0; i < g.numel(); i++) {
                m = Math.max(m, Math.abs(g.getFlat(i)));
            }
            return m;
        }
        if (type == 2) {
            return Math.sqrt(g.dtype() == DType.F32 ? Reductions.sumOfSquares(g.f32(), 0, g.numel())
                    : Reductions.sumOfSquares(g.f64(), 0, g.numel()));
        }
        double s = 0;
        for (int i = 0; i < g.numel(); i++) {
            s += Math.pow(Math.abs(g.getFlat(i)), type);
        }
        return Math.pow(s, 1 / type);
    }

    /** Clamps every gradient element to {@code [-clipValue, clipValue]}. */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clip_value must be >= 0, got " + clipValue);
        }
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            for (int i = 0; i < g.numel(); i++) {
                g.setFlat(i, Math.max(-clipValue, Math.min(clipValue, g.getFlat(i))));
            }
        }
    }
}
