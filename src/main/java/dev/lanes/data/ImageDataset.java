package dev.lanes.data;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.List;

/**
 * Labelled images in memory: an F32 tensor {@code [N, C, H, W]} and one class index per image.
 *
 * <p>The images tensor is shared, not copied: do not change it while a {@link DataLoader} reads
 * it. The labels are copied in and out.
 */
public final class ImageDataset {

    private final Tensor images;
    private final int[] labels;
    private final List<String> classes;

    /**
     * @param images  F32 images {@code [N, C, H, W]}
     * @param labels  N class indices, each in {@code [0, classes.size())}
     * @param classes the class names, index by index
     * @throws IllegalArgumentException if the shapes, the count or a label do not fit
     */
    public ImageDataset(Tensor images, int[] labels, List<String> classes) {
        if (images.dtype() != DType.F32 || images.rank() != 4) {
            throw new IllegalArgumentException("ImageDataset: images must be F32 [N, C, H, W], got " + images.dtype()
                    + " " + images.shape());
        }
        if (labels.length != images.size(0)) {
            throw new IllegalArgumentException("ImageDataset: " + images.size(0) + " images but " + labels.length
                    + " labels");
        }
        List<String> names = List.copyOf(classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= names.size()) {
                throw new IllegalArgumentException("ImageDataset: label " + labels[i] + " of image " + i
                        + " is outside the " + names.size() + " classes");
            }
        }
        this.images = images;
        this.labels = labels.clone();
        this.classes = names;
    }

    /** @return the images {@code [N, C, H, W]} (shared, not a copy) */
    public Tensor images() {
        return images;
    }

    /** @return a copy of the labels */
    public int[] labels() {
        return labels.clone();
    }

    /** @return the label of image {@code i} */
    public int label(int i) {
        return labels[i];
    }

    /** @return the class names, index by index */
    public List<String> classes() {
        return classes;
    }

    /** @return the number of images N */
    public int size() {
        return labels.length;
    }

    /** @return the number of channels C */
    public int channels() {
        return images.size(1);
    }

    /** @return the height H */
    public int height() {
        return images.size(2);
    }

    /** @return the width W */
    public int width() {
        return images.size(3);
    }

    @Override
    public String toString() {
        return "ImageDataset(" + images.shape() + ", " + classes.size() + " classes)";
    }
}
