package dev.lanes.data;

import dev.lanes.io.Idx;
import dev.lanes.io.IdxArray;
import dev.lanes.io.IdxFormatException;
import dev.lanes.io.IdxType;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Pairs an images IDX file with a labels IDX file, as MNIST ships them, into an
 * {@link ImageDataset}: unsigned-byte images {@code [N, H, W]} (or {@code [N, C, H, W]}) become
 * floats in [0, 1] ({@code value / 255}, as torchvision's {@code ToTensor}) of shape
 * {@code [N, C, H, W]}, and the labels {@code [N]} class indices.
 */
public final class IdxImages {

    private IdxImages() {
    }

    /**
     * Reads and pairs two IDX files (raw or gzip).
     *
     * @param images  the images file
     * @param labels  the labels file
     * @param classes the class names
     * @return the dataset
     * @throws IdxFormatException if a file is not valid IDX, does not hold images or labels, or the
     *                            two disagree on the count or a label is not a class
     * @throws IOException        if a file cannot be read
     */
    public static ImageDataset read(Path images, Path labels, List<String> classes) throws IOException {
        return pair(Idx.read(images), images.toString(), Idx.read(labels), labels.toString(), classes);
    }

    /**
     * Pairs two IDX arrays already read.
     *
     * @param images       unsigned bytes {@code [N, H, W]} or {@code [N, C, H, W]}
     * @param imagesSource the name of the images file, for messages
     * @param labels       integers {@code [N]}
     * @param labelsSource the name of the labels file, for messages
     * @param classes      the class names
     * @return the dataset
     * @throws IdxFormatException if the arrays do not hold images and labels that belong together
     */
    public static ImageDataset pair(IdxArray images, String imagesSource, IdxArray labels, String labelsSource,
            List<String> classes) throws IdxFormatException {
        if (images.type() != IdxType.UBYTE || images.rank() < 3 || images.rank() > 4) {
            throw new IdxFormatException(imagesSource, "expected unsigned-byte images [N, H, W] or [N, C, H, W],"
                    + " found " + images.type() + " " + Arrays.toString(images.dims()));
        }
        if (!labels.type().isIntegral() || labels.rank() != 1) {
            throw new IdxFormatException(labelsSource, "expected integer labels [N], found " + labels.type() + " "
                    + Arrays.toString(labels.dims()));
        }
        int n = images.dim(0);
        if (labels.dim(0) != n) {
            throw new IdxFormatException(labelsSource, "holds " + labels.dim(0) + " labels but " + imagesSource
                    + " holds " + n + " images");
        }
        int[] y = labels.toIntArray();
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= classes.size()) {
                throw new IdxFormatException(labelsSource, "label " + y[i] + " at index " + i + " is outside the "
                        + classes.size() + " classes");
            }
        }
        int[] d = images.dims();
        int[] shape = d.length == 3 ? new int[] {n, 1, d[1], d[2]} : d;
        Tensor x = Tensor.zeros(DType.F32, shape);
        images.copyTo(x.f32(), 0, 255f);
        return new ImageDataset(x, y, classes);
    }
}
