package dev.lanes.data;

import static dev.lanes.data.Datasets.all;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random crop with zero padding, horizontal flip and normalisation. */
class TransformTest {

    /** The crop of {@code x} [c, h, w] padded with p zeros, at offset (oy, ox) of the padded image. */
    static float[] cropOfPadded(float[] x, int c, int h, int w, int p, int oy, int ox) {
        int ph = h + 2 * p;
        int pw = w + 2 * p;
        float[] padded = new float[c * ph * pw];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int i = 0; i < w; i++) {
                    padded[(k * ph + y + p) * pw + i + p] = x[(k * h + y) * w + i];
                }
            }
        }
        float[] out = new float[c * h * w];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int i = 0; i < w; i++) {
                    out[(k * h + y) * w + i] = padded[(k * ph + y + oy) * pw + i + ox];
                }
            }
        }
        return out;
    }

    static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    @Test
    void shiftingInPlaceEqualsCroppingAPaddedCopy() {
        int c = 2;
        for (int[] hw : new int[][] {{4, 4}, {3, 5}, {1, 1}, {5, 2}}) {
            int h = hw[0];
            int w = hw[1];
            for (int p = 0; p <= 6; p++) {
                for (int oy = 0; oy <= 2 * p; oy++) {
                    for (int ox = 0; ox <= 2 * p; ox++) {
                        float[] x = ramp(c * h * w);
                        float[] buf = new float[x.length + 3];
                        System.arraycopy(x, 0, buf, 3, x.length);
                        RandomCrop.shift(buf, 3, c, h, w, oy - p, ox - p);
                        float[] expected = cropOfPadded(x, c, h, w, p, oy, ox);
                        assertArrayEquals(expected, Arrays.copyOfRange(buf, 3, buf.length),
                                h + "x" + w + " p=" + p + " offset " + oy + "," + ox);
                        assertArrayEquals(new float[3], Arrays.copyOf(buf, 3), "before the image untouched");
                    }
                }
            }
        }
    }

    @Test
    void randomCropKeepsTheShapeShowsZeroBordersAndUsesEveryOffset() {
        int n = 300;
        int h = 6;
        int w = 6;
        int p = 2;
        ImageDataset ones = new ImageDataset(Tensor.ones(DType.F32, n, 1, h, w), new int[n], List.of("one"));
        List<Batch> batches = all(DataLoader.builder(ones).batchSize(32).seed(5).randomCrop(p).build().epoch(0));
        Set<String> offsets = new HashSet<>();
        for (Batch b : batches) {
            assertArrayEquals(new int[] {b.size(), 1, h, w}, b.images().dims());
            float[] v = b.images().f32();
            for (int k = 0; k < b.size(); k++) {
                float[] img = Arrays.copyOfRange(v, k * h * w, (k + 1) * h * w);
                String found = null;
                for (int oy = 0; oy <= 2 * p; oy++) {
                    for (int ox = 0; ox <= 2 * p; ox++) {
                        if (Arrays.equals(img, cropOfPadded(onesOf(h * w), 1, h, w, p, oy, ox))) {
                            found = oy + "," + ox;
                        }
                    }
                }
                assertTrue(found != null, "not a crop of the zero-padded image: " + Arrays.toString(img));
                boolean centred = found.equals(p + "," + p);
                boolean zeroBorder = img[0] == 0 || img[w - 1] == 0 || img[(h - 1) * w] == 0 || img[h * w - 1] == 0;
                assertEquals(!centred, zeroBorder, "zeros show at the border exactly when the crop moved: " + found);
                offsets.add(found);
            }
        }
        assertEquals((2 * p + 1) * (2 * p + 1), offsets.size(), "every offset occurs: " + offsets);
    }

    private static float[] onesOf(int n) {
        float[] x = new float[n];
        Arrays.fill(x, 1f);
        return x;
    }

    @Test
    void flipMirrorsEachRow() {
        float[] x = ramp(2 * 2 * 3);
        new RandomHorizontalFlip(1).apply(x, 0, 2, 2, 3, new Generator(1));
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, x);
        float[] y = ramp(4);
        new RandomHorizontalFlip(0).apply(y, 0, 1, 1, 4, new Generator(1));
        assertArrayEquals(ramp(4), y);
        float[] odd = {0, 1, 2, 3, 4};
        new RandomHorizontalFlip(1).apply(odd, 1, 1, 1, 3, new Generator(1));
        assertArrayEquals(new float[] {0, 3, 2, 1, 4}, odd);
        assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5));
    }

    @Test
    void theLoaderFlipsAboutHalfTheImagesAndFlipsThemExactly() {
        int n = 1000;
        ImageDataset d = Datasets.indexed(n, 1, 2, 3, 1);
        List<Batch> batches = all(DataLoader.builder(d).batchSize(100).seed(21).horizontalFlip().build().epoch(0));
        int flipped = 0;
        int i = 0;
        for (Batch b : batches) {
            float[] v = b.images().f32();
            for (int k = 0; k < b.size(); k++, i++) {
                float[] original = Arrays.copyOfRange(d.images().f32(), i * 6, i * 6 + 6);
                float[] got = Arrays.copyOfRange(v, k * 6, k * 6 + 6);
                float[] mirrored = original.clone();
                RandomHorizontalFlip.mirror(mirrored, 0, 2, 3);
                if (Arrays.equals(got, mirrored)) {
                    flipped++;
                } else {
                    assertArrayEquals(original, got);
                }
            }
        }
        assertTrue(flipped > 430 && flipped < 570, flipped + " of " + n + " flipped");
    }

    @Test
    void normaliseSubtractsTheMeanAndDividesByTheStd() {
        float[] x = {0f, 0.5f, 1f, 0.25f, 2f, 4f};
        new Normalize(new float[] {0.5f, 1f}, new float[] {0.25f, 2f}).apply(x, 0, 2, 1, 3, null);
        assertArrayEquals(new float[] {-2f, 0f, 2f, -0.375f, 0.5f, 1.5f}, x);
        float[] y = {0.3f};
        new Normalize(new float[] {0.2860f}, new float[] {0.3530f}).apply(y, 0, 1, 1, 1, null);
        assertEquals((0.3f - 0.2860f) / 0.3530f, y[0]);
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0, 1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> new Normalize(new float[] {0}, new float[] {1}).apply(new float[2], 0, 2, 1, 1, null));
    }

    @Test
    void aFittedNormalisationCentresAndScalesEachChannel() {
        ImageDataset d = Datasets.indexed(20, 3, 4, 4, 2);
        Normalize fitted = Normalize.fit(d);
        List<Batch> batches = all(DataLoader.builder(d).batchSize(20).normalize(fitted).build().epoch(0));
        float[] v = batches.get(0).images().f32();
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sumSq = 0;
            for (int n = 0; n < 20; n++) {
                for (int i = 0; i < 16; i++) {
                    double z = v[(n * 3 + c) * 16 + i];
                    sum += z;
                    sumSq += z * z;
                }
            }
            assertEquals(0, sum / 320, 1e-5, "channel " + c + " mean");
            assertEquals(1, Math.sqrt(sumSq / 320), 1e-5, "channel " + c + " std");
        }
    }
}
