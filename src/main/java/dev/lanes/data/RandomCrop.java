package dev.lanes.data;

import dev.lanes.tensor.Generator;
import java.util.Arrays;

/**
 * Random crop with zero padding, as torchvision's {@code RandomCrop(size, padding=p)} with the
 * image's own size: pads each side with {@code p} zeros, then crops back to {@code H x W} at a
 * uniformly random offset in {@code [0, 2p]} on each axis (the vertical offset is drawn first).
 * The result is the image shifted by up to {@code p} pixels, with zeros where it moved away.
 * Works in place, without a scratch buffer.
 */
public final class RandomCrop implements Transform {

    private final int padding;

    /**
     * @param padding the zeros added on each side, >= 0
     * @throws IllegalArgumentException if {@code padding} is negative
     */
    public RandomCrop(int padding) {
        if (padding < 0) {
            throw new IllegalArgumentException("RandomCrop: padding must be >= 0, got " + padding);
        }
        this.padding = padding;
    }

    /** @return the zeros added on each side */
    public int padding() {
        return padding;
    }

    @Override
    public void apply(float[] image, int offset, int channels, int height, int width, Generator gen) {
        int dy = gen.nextInt(2 * padding + 1) - padding;
        int dx = gen.nextInt(2 * padding + 1) - padding;
        shift(image, offset, channels, height, width, dy, dx);
    }

    /**
     * Sets {@code out[y][x] = in[y + dy][x + dx]}, zero where that is outside the image, in
     * place: rows are visited in the order that reads each source row before it is overwritten.
     */
    static void shift(float[] image, int offset, int channels, int height, int width, int dy, int dx) {
        int x0 = Math.max(0, -dx);
        int x1 = Math.min(width, width - dx);
        for (int c = 0; c < channels; c++) {
            int base = offset + c * height * width;
            for (int step = 0; step < height; step++) {
                int y = dy > 0 ? step : height - 1 - step;
                int row = base + y * width;
                int sy = y + dy;
                if (sy < 0 || sy >= height || x1 <= x0) {
                    Arrays.fill(image, row, row + width, 0f);
                    continue;
                }
                System.arraycopy(image, base + sy * width + x0 + dx, image, row + x0, x1 - x0);
                Arrays.fill(image, row, row + x0, 0f);
                Arrays.fill(image, row + x1, row + width, 0f);
            }
        }
    }

    @Override
    public String toString() {
        return "RandomCrop(padding=" + padding + ")";
    }
}
