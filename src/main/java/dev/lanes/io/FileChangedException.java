package dev.lanes.io;

import java.nio.file.FileSystemException;

/**
 * A file that another process changed while Lanes was reading it: its size or its modification
 * time is no longer what it was when the file was opened, or a page of a memory-mapped file
 * could no longer be read because the file was truncated. Whatever had been read of it is
 * discarded, so a reader never returns a mix of the old and the new contents it noticed.
 *
 * <p>{@link #getFile()} is the file and {@link #getReason()} says what changed. Reading the file
 * again once the other process has finished with it gives its new contents.
 */
public final class FileChangedException extends FileSystemException {

    private static final long serialVersionUID = 1L;

    /**
     * @param file   the file that changed
     * @param reason what changed, for example {@code "its size went from 120 to 64 bytes"}
     */
    public FileChangedException(String file, String reason) {
        super(file, null, "changed while it was being read: " + reason);
    }
}
