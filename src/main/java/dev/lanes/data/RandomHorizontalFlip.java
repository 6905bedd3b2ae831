package dev.lanes.data;

import dev.lanes.tensor.Generator;

/**
 * Mirrors the image left to right with probability {@code p}, as torchvision's
 * {@code RandomHorizontalFlip}: one uniform draw per image, flipped when it is below {@code p}.
 */
public final class RandomHorizontalFlip implements Transform {

    private final double p;

    /** Flips half of the images. */
    public RandomHorizontalFlip() {
        this(0.5);
    }

    /**
     * @param p the probability of a flip, in [0, 1]
     * @throws IllegalArgumentException if {@code p} is outside [0, 1]
     */
    public RandomHorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    /** @return the probability of a flip */
    public double p() {
        return p;
    }

    @Override
    public void apply(float[] image, int offset, int channels, int height, int width, Generator gen) {
        if (gen.nextDouble() < p) {
            mirror(image, offset, channels * height, width);
        }
    }

    /** Reverses each of {@code rows} rows of {@code width} values. */
    static void mirror(float[] image, int offset, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int lo = offset + r * width;
            int hi = lo + width - 1;
            while (lo < hi) {
                float t = image[lo];
                image[lo++] = image[hi];
                image[hi--] = t;
            }
        }
    }

    @Override
    public String toString() {
        return "RandomHorizontalFlip(p=" + p + ")";
    }
}
