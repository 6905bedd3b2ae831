package dev.lanes.data;

import dev.lanes.io.Idx;
import dev.lanes.io.IdxArray;
import dev.lanes.io.IdxFormatException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28 x 28 grey images of clothing in ten classes,
 * 60,000 for training and 10,000 for testing, in MNIST's IDX files.
 *
 * <p>{@link #load(Path)} reads the four standard files from a directory, each raw or gzipped
 * ({@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]},
 * {@code t10k-images-idx3-ubyte[.gz]}, {@code t10k-labels-idx1-ubyte[.gz]}); {@link #load()}
 * reads them from {@link #DEFAULT_DIRECTORY}, where Debian's {@code dataset-fashion-mnist}
 * package installs them. {@link #slice()} needs nothing installed: it reads the first
 * {@value #SLICE_TRAIN} training and {@value #SLICE_TEST} test images, shipped in the jar.
 *
 * <p>Images come as F32 {@code [N, 1, 28, 28]} with pixels in [0, 1] ({@code value / 255}),
 * labels as class indices into {@link #CLASSES}.
 */
public final class FashionMnist {

    /** The class names, index by index. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    /** The number of training images in {@link #slice()}: the first of the training set. */
    public static final int SLICE_TRAIN = 2000;

    /** The number of test images in {@link #slice()}: the first of the test set. */
    public static final int SLICE_TEST = 500;

    /** The side of every image. */
    public static final int SIDE = 28;

    private static final String SLICE_RESOURCES = "fashion-mnist-slice/";

    /**
     * The training and test sets.
     *
     * @param train the training images
     * @param test  the test images
     */
    public record Splits(ImageDataset train, ImageDataset test) {
    }

    private FashionMnist() {
    }

    /**
     * @return the training and test sets from {@link #DEFAULT_DIRECTORY}
     * @throws NoSuchFileException if a file is missing (install {@code dataset-fashion-mnist})
     * @throws IdxFormatException  if a file is damaged
     * @throws IOException         if a file cannot be read
     */
    public static Splits load() throws IOException {
        return load(DEFAULT_DIRECTORY);
    }

    /**
     * @param dir a directory holding the four standard files, raw or gzipped (the raw file when
     *            both are there)
     * @return the training and test sets
     * @throws NoSuchFileException if a file is missing
     * @throws IdxFormatException  if a file is damaged or the images and labels disagree
     * @throws IOException         if a file cannot be read
     */
    public static Splits load(Path dir) throws IOException {
        return new Splits(train(dir), test(dir));
    }

    /** @return the 60,000 training images of the files in {@code dir}; see {@link #load(Path)} */
    public static ImageDataset train(Path dir) throws IOException {
        return read(dir, "train");
    }

    /** @return the 10,000 test images of the files in {@code dir}; see {@link #load(Path)} */
    public static ImageDataset test(Path dir) throws IOException {
        return read(dir, "t10k");
    }

    /** @return true if all four files are in {@link #DEFAULT_DIRECTORY} */
    public static boolean isInstalled() {
        return isInstalled(DEFAULT_DIRECTORY);
    }

    /** @return true if all four files are in {@code dir}, raw or gzipped */
    public static boolean isInstalled(Path dir) {
        for (String prefix : List.of("train", "t10k")) {
            for (String kind : List.of("images-idx3", "labels-idx1")) {
                String name = prefix + "-" + kind + "-ubyte";
                if (!Files.isRegularFile(dir.resolve(name)) && !Files.isRegularFile(dir.resolve(name + ".gz"))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The slice shipped with Lanes, read from the class path (it works inside the jar): the first
     * {@value #SLICE_TRAIN} training and {@value #SLICE_TEST} test images of Fashion-MNIST,
     * unchanged. Fashion-MNIST is MIT-licensed by Zalando SE; the notice is next to the files.
     *
     * @return the training and test slices
     * @throws IOException if the resources are missing or damaged
     */
    public static Splits slice() throws IOException {
        return new Splits(sliceSplit("train"), sliceSplit("t10k"));
    }

    private static ImageDataset read(Path dir, String prefix) throws IOException {
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte");
        return check(IdxImages.read(images, labels, CLASSES), images.toString());
    }

    private static Path find(Path dir, String name) throws NoSuchFileException {
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(gz.toString(), null, "Fashion-MNIST file missing (neither " + name + " nor "
                + name + ".gz is in " + dir + "; Debian's dataset-fashion-mnist package installs them in "
                + DEFAULT_DIRECTORY + ")");
    }

    private static ImageDataset sliceSplit(String prefix) throws IOException {
        String images = SLICE_RESOURCES + prefix + "-images-idx3-ubyte.gz";
        String labels = SLICE_RESOURCES + prefix + "-labels-idx1-ubyte.gz";
        return check(IdxImages.pair(resource(images), images, resource(labels), labels, CLASSES), images);
    }

    private static IdxArray resource(String name) throws IOException {
        try (InputStream in = FashionMnist.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new FileNotFoundException("class-path resource dev/lanes/data/" + name + " is missing");
            }
            return Idx.read(in, name);
        }
    }

    private static ImageDataset check(ImageDataset data, String source) throws IdxFormatException {
        if (data.channels() != 1 || data.height() != SIDE || data.width() != SIDE) {
            throw new IdxFormatException(source, "Fashion-MNIST images are 28 x 28, found " + data.images().shape());
        }
        return data;
    }
}
