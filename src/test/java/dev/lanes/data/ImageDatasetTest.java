package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.io.IdxArray;
import dev.lanes.io.IdxFormatException;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In-memory datasets and the pairing of image and label arrays. */
class ImageDatasetTest {

    @Test
    void checksShapesCountsAndLabels() {
        List<String> ab = List.of("a", "b");
        ImageDataset d = new ImageDataset(Tensor.zeros(DType.F32, 3, 2, 4, 5), new int[] {0, 1, 1}, ab);
        assertEquals(3, d.size());
        assertEquals(2, d.channels());
        assertEquals(4, d.height());
        assertEquals(5, d.width());
        int[] labels = d.labels();
        labels[0] = 1;
        assertEquals(0, d.label(0), "labels are copied");
        assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset(Tensor.zeros(DType.F32, 3, 4, 5), new int[3], ab));
        assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset(Tensor.zeros(DType.F64, 3, 1, 4, 5), new int[3], ab));
        assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset(Tensor.zeros(DType.F32, 3, 1, 4, 5), new int[2], ab));
        assertThrows(IllegalArgumentException.class,
                () -> new ImageDataset(Tensor.zeros(DType.F32, 1, 1, 4, 5), new int[] {2}, ab));
    }

    @Test
    void pairsImageAndLabelArrays() throws IdxFormatException {
        int[] pixels = new int[2 * 3 * 2 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = 10 * i;
        }
        IdxArray images = IdxArray.ofUnsignedBytes(pixels, 2, 3, 2, 2);
        ImageDataset d = IdxImages.pair(images, "x", IdxArray.ofInts(new int[] {1, 0}, 2), "y", List.of("a", "b"));
        assertArrayEquals(new int[] {2, 3, 2, 2}, d.images().dims());
        assertEquals(230 / 255f, d.images().f32()[23]);
        assertArrayEquals(new int[] {1, 0}, d.labels());

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxImages.pair(
                IdxArray.ofInts(new int[4], 1, 2, 2), "x", IdxArray.ofInts(new int[1], 1), "y", List.of("a")));
        assertEquals("x: expected unsigned-byte images [N, H, W] or [N, C, H, W], found INT [1, 2, 2]", e.getMessage());
        e = assertThrows(IdxFormatException.class, () -> IdxImages.pair(
                images, "x", IdxArray.ofFloats(new float[2], 2), "y", List.of("a")));
        assertEquals("y: expected integer labels [N], found FLOAT [2]", e.getMessage());
        e = assertThrows(IdxFormatException.class, () -> IdxImages.pair(
                images, "x", IdxArray.ofInts(new int[] {0, -1}, 2), "y", List.of("a")));
        assertEquals("y: label -1 at index 1 is outside the 1 classes", e.getMessage());
    }
}
