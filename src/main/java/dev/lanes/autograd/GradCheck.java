package dev.lanes.autograd;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * Checks analytic gradients against central finite differences in double precision, with
 * PyTorch's {@code gradcheck} tolerances: {@code eps = 1e-6}, and an analytic entry {@code a}
 * passes against the numeric {@code n} when {@code |a - n| <= atol + rtol |n|} with
 * {@code atol = 1e-5}, {@code rtol = 1e-3}.
 *
 * <p>The whole Jacobian is compared: one backward pass per output element gives its rows, two
 * forward passes per input element (at {@code x + eps} and {@code x - eps}) give its columns.
 * Keep the tensors small.
 */
public final class GradCheck {

    /** The finite-difference step. */
    public static final double EPS = 1e-6;
    /** The absolute tolerance. */
    public static final double ATOL = 1e-5;
    /** The relative tolerance. */
    public static final double RTOL = 1e-3;

    /** A function of tensors to check. */
    @FunctionalInterface
    public interface Function {
        /**
         * @param inputs the inputs, in the order given to {@link #check}
         * @return the output
         */
        Tensor apply(Tensor... inputs);
    }

    private GradCheck() {
    }

    /**
     * Compares the analytic and numeric Jacobians of {@code f} with respect to every input that
     * requires grad. The inputs must be F64; their gradients are reset.
     *
     * @return null when every entry passes, else a message naming the input, the element, the
     *         output element and both values of the worst entry
     */
    public static String check(Function f, Tensor... inputs) {
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != DType.F64) {
                throw new IllegalArgumentException("gradcheck: input " + i + " is " + inputs[i].dtype()
                        + "; finite differences need F64");
            }
        }
        Tensor y0 = f.apply(inputs);
        int outputs = y0.numel();
        double[][][] analytic = new double[inputs.length][][];
        for (int i = 0; i < inputs.length; i++) {
            analytic[i] = new double[outputs][inputs[i].numel()];
        }
        for (int o = 0; o < outputs; o++) {
            for (Tensor t : inputs) {
                t.zeroGrad();
            }
            Tensor y = f.apply(inputs);
            if (!y.requiresGrad()) {
                throw new IllegalArgumentException("gradcheck: the output does not require grad; mark an input with"
                        + " requiresGrad(true)");
            }
            Tensor seed = Tensor.zeros(DType.F64, y.shape());
            seed.setFlat(o, 1);
            y.backward(seed);
            for (int i = 0; i < inputs.length; i++) {
                Tensor g = inputs[i].grad();
                if (g != null) {
                    analytic[i][o] = g.toDoubleArray();
                }
            }
        }
        String worst = null;
        double worstExcess = 0;
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            if (!x.requiresGrad()) {
                continue;
            }
            for (int j = 0; j < x.numel(); j++) {
                double[] column = numericColumn(f, inputs, x, j);
                for (int o = 0; o < outputs; o++) {
                    double a = analytic[i][o][j];
                    double n = column[o];
                    double excess = Math.abs(a - n) - (ATOL + RTOL * Math.abs(n));
                    if (excess > worstExcess || (Double.isNaN(a) != Double.isNaN(n))) {
                        worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                        worst = "gradcheck: input " + i + " (shape " + x.shape() + ") element "
                                + Arrays.toString(unflatten(x.dims(), j)) + ", output element "
                                + Arrays.toString(unflatten(y0.dims(), o)) + ": analytic " + a + ", numeric " + n
                                + " (atol " + ATOL + ", rtol " + RTOL + ")";
                    }
                }
            }
            x.zeroGrad();
        }
        for (Tensor t : inputs) {
            t.zeroGrad();
        }
        return worst;
    }

    /**
     * {@link #check}, throwing when it fails.
     *
     * @throws AssertionError with the message of the worst entry
     */
    public static void assertGradients(Function f, Tensor... inputs) {
        String failure = check(f, inputs);
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    private static double[] numericColumn(Function f, Tensor[] inputs, Tensor x, int j) {
        double v = x.getFlat(j);
        try (NoGrad g = NoGrad.enter()) {
            x.setFlat(j, v + EPS);
            double[] plus = f.apply(inputs).toDoubleArray();
            x.setFlat(j, v - EPS);
            double[] minus = f.apply(inputs).toDoubleArray();
            double[] col = new double[plus.length];
            for (int o = 0; o < col.length; o++) {
                col[o] = (plus[o] - minus[o]) / (2 * EPS);
            }
            return col;
        } finally {
            x.setFlat(j, v);
        }
    }

    private static int[] unflatten(int[] dims, int flat) {
        int[] idx = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = dims[i] == 0 ? 0 : flat % dims[i];
            flat = dims[i] == 0 ? 0 : flat / dims[i];
        }
        return idx;
    }
}
