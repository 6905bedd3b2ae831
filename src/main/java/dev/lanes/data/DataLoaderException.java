package dev.lanes.data;

/**
 * A batch could not be made: a transform failed (the cause), or the thread waiting for the batch
 * was interrupted. Thrown by {@link Epoch#next()} in the consumer's thread, whichever thread made
 * the batch.
 */
public final class DataLoaderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with the epoch and batch
     * @param cause   the failure
     */
    public DataLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
