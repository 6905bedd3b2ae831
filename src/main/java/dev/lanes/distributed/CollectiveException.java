package dev.lanes.distributed;

/**
 * A collective operation failed: a rank died, stopped answering within the timeout, refused
 * the connection or sent something unexpected. The message names the operation and the rank.
 */
public final class CollectiveException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the operation and the rank */
    public CollectiveException(String message) {
        super(message);
    }

    /**
     * @param message what failed, naming the operation and the rank
     * @param cause   the underlying error
     */
    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
