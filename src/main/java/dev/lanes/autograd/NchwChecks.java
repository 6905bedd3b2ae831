package dev.lanes.autograd;

import dev.lanes.kernel.internal.Pooling;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/** Shape checks and storage helpers shared by the NCHW functions (normalisation and pooling). */
final class NchwChecks {

    private NchwChecks() {
    }

    /** Checks that {@code x} is {@code [N, C, H, W]}; @return its dims */
    static int[] require4d(String op, Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected a 4-d input [N, C, H, W], but got shape " + x.shape());
        }
        return x.dims();
    }

    /** @return a tensor of {@code dtype} holding {@code values} (rounded for F32) */
    static Tensor tensor(DType dtype, double[] values, int... dims) {
        Tensor t = Tensor.of(values, dims);
        return dtype == DType.F64 ? t : t.to(dtype);
    }

    /** @return a two-element pair formatted as PyTorch prints it, {@code (a, b)} */
    static String pair(int[] p) {
        return "(" + p[0] + ", " + p[1] + ")";
    }

    /** Checks a pair of sizes: two entries, each at least {@code min}. */
    static void requirePair(String op, String what, int[] p, int min) {
        if (p == null || p.length != 2) {
            throw new IllegalArgumentException(op + ": " + what + " needs two entries (h, w), got "
                    + (p == null ? "null" : Arrays.toString(p)));
        }
        if (p[0] < min || p[1] < min) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= " + min + ", got " + pair(p));
        }
    }

    /** {@link Pooling#outputSize}. */
    /**
     * Checks a pooling window as PyTorch does (kernel >= 1, stride >= 1, padding >= 0 and at most
     * half the kernel) and returns the stride, which defaults to the kernel when none is given.
     */
    static int[] poolWindow(String op, int[] kernel, int[] stride, int[] padding) {
        int[] s = stride == null || stride.length == 0 ? kernel : stride;
        requirePair(op, "kernel_size", kernel, 1);
        requirePair(op, "stride", s, 1);
        requirePair(op, "padding", padding, 0);
        if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
            throw new IllegalArgumentException(op + ": padding " + pair(padding)
                    + " should be at most half of kernel_size " + pair(kernel));
        }
        return s;
    }

    static int pooledSize(int in, int k, int pad, int stride, int dilation, boolean ceil) {
        return Pooling.outputSize(in, k, pad, stride, dilation, ceil);
    }
}
