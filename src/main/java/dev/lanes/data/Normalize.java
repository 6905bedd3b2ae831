package dev.lanes.data;

import dev.lanes.tensor.Generator;
import java.util.Arrays;

/**
 * Per-channel normalisation, as torchvision's {@code Normalize}: {@code x = (x - mean[c]) / std[c]}
 * in float arithmetic. Uses no randomness.
 */
public final class Normalize implements Transform {

    private final float[] mean;
    private final float[] std;

    /**
     * @param mean one mean per channel
     * @param std  one standard deviation per channel, each finite and > 0
     * @throws IllegalArgumentException if the lengths differ or a value is not usable
     */
    public Normalize(float[] mean, float[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("Normalize: need one mean and one std per channel, got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || !(std[c] > 0)) {
                throw new IllegalArgumentException("Normalize: channel " + c + " has mean " + mean[c] + " and std "
                        + std[c] + "; need finite values and std > 0");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * The mean and the (population) standard deviation of each channel over all images of
     * {@code data}, computed in double: the usual way to choose the constants.
     *
     * @param data the images
     * @return the normalisation that gives each channel of {@code data} mean 0 and std 1
     * @throws IllegalArgumentException if a channel is constant
     */
    public static Normalize fit(ImageDataset data) {
        int c = data.channels();
        int plane = data.height() * data.width();
        float[] x = data.images().f32();
        double[] sum = new double[c];
        double[] sumSq = new double[c];
        for (int n = 0; n < data.size(); n++) {
            for (int k = 0; k < c; k++) {
                int start = (n * c + k) * plane;
                for (int i = start; i < start + plane; i++) {
                    sum[k] += x[i];
                    sumSq[k] += (double) x[i] * x[i];
                }
            }
        }
        double count = (double) data.size() * plane;
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int k = 0; k < c; k++) {
            double m = sum[k] / count;
            mean[k] = (float) m;
            std[k] = (float) Math.sqrt(Math.max(0, sumSq[k] / count - m * m));
        }
        return new Normalize(mean, std);
    }

    /** @return a copy of the means */
    public float[] mean() {
        return mean.clone();
    }

    /** @return a copy of the standard deviations */
    public float[] std() {
        return std.clone();
    }

    @Override
    public void apply(float[] image, int offset, int channels, int height, int width, Generator gen) {
        if (channels != mean.length) {
            throw new IllegalArgumentException("Normalize: built for " + mean.length + " channels, the image has "
                    + channels);
        }
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float m = mean[c];
            float s = std[c];
            int start = offset + c * plane;
            for (int i = start; i < start + plane; i++) {
                image[i] = (image[i] - m) / s;
            }
        }
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
