package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.IdxArray;
import dev.lanes.io.IdxFormatException;
import dev.lanes.io.IdxWriter;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fashion-MNIST: the shipped slice, the full set when installed, and files that do not fit. */
class FashionMnistTest {

    /** The first labels of the real training and test sets. */
    static final int[] FIRST_TRAIN_LABELS = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5};
    static final int[] FIRST_TEST_LABELS = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};

    @TempDir
    Path dir;

    static void checkImages(ImageDataset d, int n) {
        assertEquals(n, d.size());
        assertArrayEquals(new int[] {n, 1, 28, 28}, d.images().dims());
        assertEquals(FashionMnist.CLASSES, d.classes());
        int[] perClass = new int[10];
        for (int y : d.labels()) {
            perClass[y]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(perClass[c] > n / 20, "class " + c + " has " + perClass[c] + " of " + n);
        }
        float min = 1;
        float max = 0;
        for (float v : d.images().f32()) {
            assertTrue(v >= 0 && v <= 1 && Math.round(v * 255) / 255f == v, "pixel " + v);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    @Test
    void theShippedSliceLoadsFromTheClassPath() throws IOException {
        FashionMnist.Splits s = FashionMnist.slice();
        checkImages(s.train(), FashionMnist.SLICE_TRAIN);
        checkImages(s.test(), FashionMnist.SLICE_TEST);
        assertArrayEquals(FIRST_TRAIN_LABELS, Arrays.copyOf(s.train().labels(), 10));
        assertArrayEquals(FIRST_TEST_LABELS, Arrays.copyOf(s.test().labels(), 10));
        assertEquals(10, FashionMnist.CLASSES.size());
        assertEquals("Ankle boot", FashionMnist.CLASSES.get(s.train().label(0)));
    }

    @Test
    void theFullSetLoadsWhenInstalled() throws IOException {
        Assumptions.assumeTrue(FashionMnist.isInstalled(), "Fashion-MNIST is not in "
                + FashionMnist.DEFAULT_DIRECTORY + " (Debian package dataset-fashion-mnist)");
        FashionMnist.Splits full = FashionMnist.load();
        checkImages(full.train(), 60_000);
        checkImages(full.test(), 10_000);
        assertArrayEquals(FIRST_TRAIN_LABELS, Arrays.copyOf(full.train().labels(), 10));
        assertArrayEquals(FIRST_TEST_LABELS, Arrays.copyOf(full.test().labels(), 10));
        FashionMnist.Splits slice = FashionMnist.slice();
        assertSlice(full.train(), slice.train());
        assertSlice(full.test(), slice.test());
    }

    private static void assertSlice(ImageDataset full, ImageDataset slice) {
        int n = slice.size();
        assertArrayEquals(Arrays.copyOf(full.labels(), n), slice.labels());
        assertArrayEquals(Arrays.copyOf(full.images().f32(), n * 784), slice.images().f32());
    }

    /**
     * Writes the four files: the training files with the given counts, gzipped or raw, and three
     * test images the other way; pixel values run 0..255 repeatedly, labels 0..9.
     */
    private void writeSet(int trainImages, int trainLabels, int side, boolean gzip) throws IOException {
        write("train", trainImages, trainLabels, side, gzip);
        write("t10k", 3, 3, side, !gzip);
    }

    private void write(String prefix, int images, int labels, int side, boolean gzip) throws IOException {
        int[] pixels = new int[images * side * side];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i % 256;
        }
        int[] y = new int[labels];
        for (int i = 0; i < labels; i++) {
            y[i] = i % 10;
        }
        String suffix = gzip ? ".gz" : "";
        IdxWriter.write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix),
                IdxArray.ofUnsignedBytes(pixels, images, side, side), gzip);
        IdxWriter.write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), IdxArray.ofUnsignedBytes(y, labels),
                gzip);
    }

    @Test
    void loadsRawOrGzippedFilesFromADirectory() throws IOException {
        assertTrue(!FashionMnist.isInstalled(dir));
        writeSet(4, 4, 28, true);
        assertTrue(FashionMnist.isInstalled(dir));
        FashionMnist.Splits s = FashionMnist.load(dir);
        assertEquals(4, s.train().size());
        assertEquals(3, s.test().size());
        assertArrayEquals(new int[] {0, 1, 2, 3}, s.train().labels());
        assertEquals(255 / 255f, s.train().images().f32()[255]);
        assertEquals(1 / 255f, s.train().images().f32()[257]);
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        write("train", 2, 2, 28, false);
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(dir));
        assertEquals(dir.resolve("t10k-images-idx3-ubyte.gz").toString(), e.getFile());
        assertTrue(e.getMessage().contains("neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz is in "
                + dir), e.getMessage());
    }

    @Test
    void imagesAndLabelsMustAgree() throws IOException {
        writeSet(5, 4, 28, false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.train(dir));
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        assertEquals(labels + ": holds 4 labels but " + dir.resolve("train-images-idx3-ubyte") + " holds 5 images",
                e.getMessage());
    }

    @Test
    void labelsMustNameAClassAndImagesMustBe28By28() throws IOException {
        IdxWriter.write(dir.resolve("train-images-idx3-ubyte"), IdxArray.ofUnsignedBytes(new int[2 * 784], 2, 28, 28),
                false);
        IdxWriter.write(dir.resolve("train-labels-idx1-ubyte"), IdxArray.ofUnsignedBytes(new int[] {3, 10}, 2), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.train(dir));
        assertEquals(dir.resolve("train-labels-idx1-ubyte") + ": label 10 at index 1 is outside the 10 classes",
                e.getMessage());

        write("train", 2, 2, 27, false);
        e = assertThrows(IdxFormatException.class, () -> FashionMnist.train(dir));
        assertEquals(dir.resolve("train-images-idx3-ubyte")
                + ": Fashion-MNIST images are 28 x 28, found [2, 1, 27, 27]", e.getMessage());
    }
}
