package dev.lanes.train;

/**
 * What one epoch of {@link Trainer#fit()} measured. Test values are NaN without a test loader.
 *
 * @param epoch         the epoch, from 1
 * @param trainLoss     the mean training loss over the epoch's items (the loss of each batch as the
 *                      model stood before that batch's step)
 * @param trainAccuracy the fraction of training items whose largest output was their label
 * @param testLoss      the mean loss on the test loader, in evaluation mode, after the epoch
 * @param testAccuracy  the fraction of test items classified correctly
 * @param lr            the learning rate used during the epoch
 * @param seconds       the wall time of the epoch's training part (after a resume: of the rest)
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double lr, double seconds) {

    /** The CSV columns of {@link #row()}. */
    static final java.util.List<String> COLUMNS = java.util.List.of("epoch", "train_loss", "train_accuracy",
            "test_loss", "test_accuracy", "lr", "seconds");

    /** @return the values in {@link #COLUMNS} order */
    double[] row() {
        return new double[] {epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, lr, seconds};
    }

    /** @return the metrics from a {@link #row()} */
    static EpochMetrics of(double[] r) {
        return new EpochMetrics((int) r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    }
}
