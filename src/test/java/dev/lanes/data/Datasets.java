package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Small datasets whose pixels say which image they belong to, and batch comparisons. */
final class Datasets {

    private Datasets() {
    }

    /**
     * {@code n} images {@code [c, h, w]}; pixel j of image i holds {@code i * c * h * w + j}, so
     * every pixel value is distinct and tells its image; image i has label {@code i % classes}.
     */
    static ImageDataset indexed(int n, int c, int h, int w, int classes) {
        int sample = c * h * w;
        Tensor x = Tensor.zeros(DType.F32, n, c, h, w);
        float[] v = x.f32();
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        int[] labels = new int[n];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        for (int k = 0; k < classes; k++) {
            names.add("class " + k);
        }
        assert (long) n * sample < 1 << 24 : "pixel values must stay exact in float";
        return new ImageDataset(x, labels, names);
    }

    /** The images of a batch of an {@link #indexed} dataset, read back from their first pixel. */
    static int[] imageIndices(Batch b) {
        float[] v = b.images().toFloatArray();
        int sample = v.length / b.size();
        int[] out = new int[b.size()];
        for (int k = 0; k < b.size(); k++) {
            out[k] = (int) v[k * sample] / sample;
        }
        return out;
    }

    /** Every batch of an epoch, closing it. */
    static List<Batch> all(Epoch epoch) {
        List<Batch> out = new ArrayList<>();
        try (epoch) {
            for (Batch b : epoch) {
                out.add(b);
            }
        }
        return out;
    }

    /** Asserts that two lists of batches hold the same images, bit for bit, and labels. */
    static void assertSameBatches(List<Batch> expected, List<Batch> actual) {
        assertEquals(expected.size(), actual.size(), "number of batches");
        for (int i = 0; i < expected.size(); i++) {
            Batch e = expected.get(i);
            Batch a = actual.get(i);
            assertEquals(e.images().dtype(), a.images().dtype());
            assertArrayEquals(e.images().dims(), a.images().dims(), "batch " + i);
            assertArrayEquals(e.labels(), a.labels(), "batch " + i);
            if (e.images().dtype() == DType.F32) {
                assertArrayEquals(e.images().f32(), a.images().f32(), "batch " + i);
            } else {
                assertArrayEquals(e.images().f64(), a.images().f64(), "batch " + i);
            }
        }
    }
}
