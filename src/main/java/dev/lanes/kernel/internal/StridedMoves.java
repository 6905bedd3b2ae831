package dev.lanes.kernel.internal;

import java.util.Arrays;

/**
 * Element moves along one strided run of a {@code float[]} or {@code double[]} (both arrays of a
 * call have the same type): the copies of im2col, of tensor views and slices, and the scatter-add
 * of col2im. Unit steps take the paths the JIT vectorises ({@link System#arraycopy}, a plain
 * add loop), a zero source step is a fill; each call moves a whole run, so the type dispatch
 * costs nothing next to the moving.
 */
public final class StridedMoves {

    private StridedMoves() {
    }

    /** {@code to[toOff + j * toStep] = from[fromOff + j * fromStep]} for {@code j < n}. */
    public static void copy(Object from, int fromOff, int fromStep, Object to, int toOff, int toStep, int n) {
        if (fromStep == 1 && toStep == 1) {
            System.arraycopy(from, fromOff, to, toOff, n);
        } else if (from instanceof float[] f) {
            float[] t = (float[]) to;
            if (fromStep == 0 && toStep == 1) {
                Arrays.fill(t, toOff, toOff + n, f[fromOff]);
                return;
            }
            for (int j = 0; j < n; j++) {
                t[toOff + j * toStep] = f[fromOff + j * fromStep];
            }
        } else {
            double[] f = (double[]) from;
            double[] t = (double[]) to;
            if (fromStep == 0 && toStep == 1) {
                Arrays.fill(t, toOff, toOff + n, f[fromOff]);
                return;
            }
            for (int j = 0; j < n; j++) {
                t[toOff + j * toStep] = f[fromOff + j * fromStep];
            }
        }
    }

    /** {@code to[toOff + j * toStep] += from[fromOff + j]} for {@code j < n}. */
    public static void addInto(Object from, int fromOff, Object to, int toOff, int toStep, int n) {
        // A unit step gets its own loop: only a known unit stride is vectorised by the JIT.
        if (from instanceof float[] f) {
            float[] t = (float[]) to;
            if (toStep == 1) {
                for (int j = 0; j < n; j++) {
                    t[toOff + j] += f[fromOff + j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    t[toOff + j * toStep] += f[fromOff + j];
                }
            }
        } else {
            double[] f = (double[]) from;
            double[] t = (double[]) to;
            if (toStep == 1) {
                for (int j = 0; j < n; j++) {
                    t[toOff + j] += f[fromOff + j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    t[toOff + j * toStep] += f[fromOff + j];
                }
            }
        }
    }

    /** Zeroes {@code a[from, to)}. */
    public static void zero(Object a, int from, int to) {
        if (a instanceof float[] f) {
            Arrays.fill(f, from, to, 0f);
        } else {
            Arrays.fill((double[]) a, from, to, 0d);
        }
    }
}
