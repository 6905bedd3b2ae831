package dev.lanes.testkit;

import dev.lanes.autograd.GradCheck;
import dev.lanes.kernel.Kernels;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * The checks Lanes runs on each of its own differentiable operations, for yours: call them from
 * jqwik properties (with {@link Sizes} and {@link Inputs}) or from plain tests. An operation is a
 * {@link GradCheck.Function} of tensors; the inputs given are F64 and are never modified (each
 * check works on copies that require grad).
 *
 * <ol>
 *   <li>{@link #assertGradients}: the F64 analytic gradients match central finite differences,
 *       with PyTorch's gradcheck tolerances.</li>
 *   <li>{@link #assertF32MatchesF64}: the F32 forward pass and gradients agree with the F64 ones
 *       within float accuracy.</li>
 *   <li>{@link #assertProvidersAgree}: the scalar and the Vector API kernels give the same F32
 *       results (bit for bit, or within a tolerance for operations that go through a GEMM).</li>
 *   <li>{@link #assertThreadCountInvariant}: the F32 results are bit-identical on 1, 2 and 3
 *       threads.</li>
 * </ol>
 * Each throws {@link AssertionError} naming the check, the tensor (output or the gradient of an
 * input) and the element.
 */
public final class OpChecks {

    /** The F32-vs-F64 tolerance: a few float roundings relative to the largest magnitude. */
    public static final double F32_TOLERANCE = 2e-5;

    private OpChecks() {
    }

    /** Runs all four checks, the provider check bit for bit. */
    public static void assertAll(GradCheck.Function op, Tensor... inputs) {
        assertGradients(op, inputs);
        assertF32MatchesF64(op, inputs);
        assertProvidersAgree(op, 0, inputs);
        assertThreadCountInvariant(op, inputs);
    }

    /** Check 1: F64 gradients against finite differences. */
    public static void assertGradients(GradCheck.Function op, Tensor... inputs) {
        Tensor[] x = new Tensor[inputs.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = f64(inputs[i], i).detach().copy().requiresGrad(true);
        }
        GradCheck.assertGradients(op, x);
    }

    /** Check 2 with {@link #F32_TOLERANCE}. */
    public static void assertF32MatchesF64(GradCheck.Function op, Tensor... inputs) {
        assertF32MatchesF64(op, F32_TOLERANCE, inputs);
    }

    /**
     * Check 2: the inputs are rounded to float first in both runs, so that both start from the
     * same values; element {@code j} of a result then passes when
     * {@code |f32 - f64| <= tolerance * (1 + max |f64|)} over that tensor.
     */
    public static void assertF32MatchesF64(GradCheck.Function op, double tolerance, Tensor... inputs) {
        double[][] f64 = run(op, DType.F64, inputs);
        double[][] f32 = run(op, DType.F32, inputs);
        for (int k = 0; k < f64.length; k++) {
            sameNullness("F32 vs F64", k, f64[k], f32[k]);
            if (f64[k] == null) {
                continue;
            }
            double scale = 0;
            for (double v : f64[k]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < f64[k].length; j++) {
                if (!(Math.abs(f64[k][j] - f32[k][j]) <= tolerance * (1 + scale))) {
                    throw new AssertionError("F32 vs F64: " + what(k) + " element " + j + ": F64 " + f64[k][j]
                            + ", F32 " + f32[k][j] + " (tolerance " + tolerance + " x (1 + " + scale + "))");
                }
            }
        }
    }

    /**
     * Check 3: the F32 results on the scalar provider and on the vector provider. With
     * {@code relTolerance} 0 they must be the same bits; otherwise element by element within
     * {@code relTolerance * (1 + |scalar|)}.
     *
     * @throws AssertionError also when the vector provider cannot run in this JVM (the message
     *                        says why): start the test JVM with
     *                        {@code --add-modules jdk.incubator.vector}
     */
    public static void assertProvidersAgree(GradCheck.Function op, double relTolerance, Tensor... inputs) {
        if (!Kernels.vectorAvailable()) {
            throw new AssertionError("providers: the vector provider cannot run in this JVM ("
                    + Kernels.vectorUnavailableReason().orElse("unknown reason") + ")");
        }
        double[][] scalar;
        double[][] vector;
        try (Kernels.Scope s = Kernels.use(Kernels.Provider.SCALAR)) {
            scalar = run(op, DType.F32, inputs);
        }
        try (Kernels.Scope s = Kernels.use(Kernels.Provider.VECTOR)) {
            vector = run(op, DType.F32, inputs);
        }
        compare("scalar vs vector provider", scalar, vector, relTolerance);
    }

    /** Check 4: the F32 results on 1 thread and on 2 and 3 threads are the same bits. */
    public static void assertThreadCountInvariant(GradCheck.Function op, Tensor... inputs) {
        int before = Kernels.threads();
        try {
            Kernels.setThreads(1);
            double[][] one = run(op, DType.F32, inputs);
            for (int threads : new int[] {2, 3}) {
                Kernels.setThreads(threads);
                compare("1 vs " + threads + " threads", one, run(op, DType.F32, inputs), 0);
            }
        } finally {
            Kernels.setThreads(before);
        }
    }

    /**
     * The output and every input's gradient for a fixed, seeded output gradient, computed in
     * {@code dtype} from the inputs rounded to float.
     */
    private static double[][] run(GradCheck.Function op, DType dtype, Tensor[] inputs) {
        Tensor[] x = new Tensor[inputs.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = f64(inputs[i], i).to(DType.F32).to(dtype).copy().requiresGrad(true);
        }
        Tensor y = op.apply(x);
        if (!y.requiresGrad()) {
            throw new IllegalArgumentException("OpChecks: the output does not depend on any input");
        }
        Tensor g = Tensor.uniform(new Generator(7), DType.F64, -1, 1, y.dims()).to(dtype);
        y.backward(g);
        double[][] out = new double[x.length + 1][];
        out[0] = y.toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            out[i + 1] = x[i].grad() == null ? null : x[i].grad().toDoubleArray();
        }
        return out;
    }

    private static Tensor f64(Tensor t, int i) {
        if (t == null) {
            throw new NullPointerException("OpChecks: input " + i + " is null");
        }
        if (t.dtype() != DType.F64) {
            throw new IllegalArgumentException("OpChecks: input " + i + " is " + t.dtype() + "; give F64 inputs");
        }
        return t;
    }

    private static void compare(String check, double[][] a, double[][] b, double relTolerance) {
        for (int k = 0; k < a.length; k++) {
            sameNullness(check, k, a[k], b[k]);
            if (a[k] == null) {
                continue;
            }
            if (a[k].length != b[k].length) {
                throw new AssertionError(check + ": " + what(k) + " has " + a[k].length + " vs " + b[k].length
                        + " elements");
            }
            for (int j = 0; j < a[k].length; j++) {
                boolean same = relTolerance == 0
                        ? Double.doubleToLongBits(a[k][j]) == Double.doubleToLongBits(b[k][j])
                        : Math.abs(a[k][j] - b[k][j]) <= relTolerance * (1 + Math.abs(a[k][j]));
                if (!same) {
                    throw new AssertionError(check + ": " + what(k) + " element " + j + ": " + a[k][j] + " vs "
                            + b[k][j] + (relTolerance == 0 ? " (bit for bit)" : " (tolerance " + relTolerance + ")"));
                }
            }
        }
    }

    private static void sameNullness(String check, int k, double[] a, double[] b) {
        if ((a == null) != (b == null)) {
            throw new AssertionError(check + ": " + what(k) + " exists in one run only: "
                    + Arrays.toString(a) + " vs " + Arrays.toString(b));
        }
    }

    private static String what(int k) {
        return k == 0 ? "the output" : "the gradient of input " + (k - 1);
    }
}
