package dev.lanes.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A trainer checkpoint that cannot be resumed: damaged, from another kind of run, or holding a
 * value out of range. It names the file and the field ({@code "epoch"}, {@code "model.0.weight"},
 * {@code "optimizer.3.exp_avg_sq"}, ...). When {@link Trainer#resume} throws it, nothing in the
 * trainer, model, optimizer, schedule or generators has changed.
 */
public final class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The checkpoint file. */
    private final transient Path file;
    /** The field at fault. */
    private final String field;

    /**
     * @param file   the checkpoint
     * @param field  the metadata key or tensor name at fault
     * @param reason what is wrong with it
     */
    public CheckpointException(Path file, String field, String reason) {
        super(file + ": cannot resume from this checkpoint: " + field + ": " + reason);
        this.file = file;
        this.field = field;
    }

    /** @return the checkpoint file */
    public Path file() {
        return file;
    }

    /** @return the metadata key or tensor name at fault */
    public String field() {
        return field;
    }
}
