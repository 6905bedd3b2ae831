package dev.lanes.kernel;

/** BF16 rounding for tests, written apart from the library's own. */
public final class Bf16Reference {

    private Bf16Reference() {
    }

    /** @return the BF16 value nearest {@code v}, ties to the even one, found by comparing the two candidates */
    public static double round(float v) {
        int bits = Float.floatToRawIntBits(v);
        float down = Float.intBitsToFloat(bits & 0xFFFF0000);
        float up = Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000);
        double dDown = Math.abs((double) v - down);
        double dUp = Math.abs((double) up - v);
        if (dDown != dUp) {
            return dDown < dUp ? down : up;
        }
        return ((bits >>> 16) & 1) == 0 ? down : up;
    }
}
