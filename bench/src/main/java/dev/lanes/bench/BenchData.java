package dev.lanes.bench;

import java.util.SplittableRandom;

/** Shared set-up of the GEMM benchmarks: shape strings and seeded operands. */
final class BenchData {

    private BenchData() {
    }

    /** @return {M, K, N} parsed from "MxKxN" */
    static int[] shape(String mxkxn) {
        String[] parts = mxkxn.split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("shape must be MxKxN, got '" + mxkxn + "'");
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    /** @return {@code length} values uniform in [-1, 1) */
    static float[] uniform(int length, SplittableRandom random) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }
}
