package dev.lanes.io;

import java.nio.file.FileSystemException;

/**
 * A path that names something other than a regular file: a directory, a FIFO, a socket or a
 * device. Readers refuse such a path before opening it, because opening a FIFO would wait for a
 * writer forever and reading a device could never end.
 *
 * <p>{@link #getFile()} is the path; the message says what it names, for example
 * {@code "data/model.safetensors: is a FIFO (named pipe), not a safetensors file"}.
 */
public final class NotRegularFileException extends FileSystemException {

    private static final long serialVersionUID = 1L;

    /**
     * @param file   the path
     * @param reason what it names and what was expected, for example
     *               {@code "is a directory, not an IDX file"}
     */
    public NotRegularFileException(String file, String reason) {
        super(file, null, reason);
    }
}
