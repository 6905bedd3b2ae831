package dev.lanes.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;

/**
 * A regular file open for reading, with what it was when it was opened (its size, modification
 * time and, where the platform has one, status-change time), so that a reader can tell whether
 * another process has changed it since.
 *
 * <p>The path is checked to name a regular file before it is opened, following links, because
 * opening a FIFO blocks until a writer comes and a device can be read forever. A path that names
 * another file later on (the file was replaced by a rename, as {@link AtomicFiles} does, or
 * deleted) is not a change: the open channel still reads the file that was opened, and only its
 * size, which the channel reports, is compared from then on.
 *
 * <p>A change is seen when it changes the size or one of the two times. Time stamps have the
 * granularity of the file system (often a few milliseconds), so an overwrite in place that keeps
 * the size and lands within that granularity of the open can go unnoticed; a truncation is
 * always noticed.
 */
final class WatchedFile implements Closeable {

    /**
     * Called by readers at fixed points of a read, so that tests can change the file exactly
     * there; {@link #NONE} everywhere else.
     */
    @FunctionalInterface
    interface Hook {
        /** Does nothing. */
        Hook NONE = stage -> { };

        /**
         * @param stage where the reader is: {@code "open"} right after the file was opened, or the
         *     name of the tensor whose bytes are about to be copied
         */
        void at(String stage) throws IOException;
    }

    /** What a read copies at once into a heap array, so that the JDK's temporary native buffer stays small. */
    private static final int CHUNK = 1 << 20;

    private static final int S_IFMT = 0170000;

    private final Path path;
    private final String source;
    private final FileChannel channel;
    private final Stamp opened;

    private WatchedFile(Path path, FileChannel channel, Stamp opened) {
        this.path = path;
        this.source = path.toString();
        this.channel = channel;
        this.opened = opened;
    }

    /**
     * Opens a regular file.
     *
     * @param path the file
     * @param kind what the file should be, for messages ({@code "a safetensors file"})
     * @return the open file
     * @throws NotRegularFileException if the path names a directory, FIFO, socket or device
     * @throws FileChangedException if the file changed while it was being opened
     * @throws IOException if it cannot be opened
     */
    static WatchedFile open(Path path, String kind) throws IOException {
        Stamp before = Stamp.of(path);
        if (!before.regular()) {
            throw new NotRegularFileException(path.toString(), "is " + describe(path, before) + ", not " + kind);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            Stamp after = Stamp.of(path);
            long size = channel.size();
            if (!after.sameFile(before) || !after.equals(before) || size != before.size()) {
                throw new FileChangedException(path.toString(), "it was replaced or written to while it was being"
                        + " opened");
            }
            return new WatchedFile(path, channel, before);
        } catch (Throwable failure) {
            try {
                channel.close();
            } catch (IOException close) {
                failure.addSuppressed(close);
            }
            throw failure;
        }
    }

    /** @return the file's name, for messages */
    String source() {
        return source;
    }

    /** @return the file's size when it was opened */
    long size() {
        return opened.size();
    }

    /** @return the open channel */
    FileChannel channel() {
        return channel;
    }

    /**
     * Reads the whole file, of at most {@link Integer#MAX_VALUE} - 8 bytes, into a new array, and
     * then checks that the file has not changed.
     *
     * @return its bytes
     * @throws FileChangedException if it ends early or changed meanwhile
     */
    byte[] readAll() throws IOException {
        long size = opened.size();
        if (size > SafeTensors.MAX_ELEMENTS) {
            throw new IllegalArgumentException(source + ": " + size + " bytes do not fit in an array");
        }
        byte[] bytes = new byte[(int) size];
        int done = 0;
        while (done < bytes.length) {
            int n = channel.read(ByteBuffer.wrap(bytes, done, Math.min(CHUNK, bytes.length - done)), done);
            if (n < 0) {
                throw new FileChangedException(source, "it ended after " + done + " of its " + size + " bytes");
            }
            done += n;
        }
        check();
        return bytes;
    }

    /**
     * Checks that the file is still as it was when it was opened.
     *
     * @throws FileChangedException if its size, its modification time or its status-change time
     *     differ
     */
    void check() throws IOException {
        long size = channel.size();
        if (size != opened.size()) {
            throw new FileChangedException(source, "its size went from " + opened.size() + " to " + size + " bytes");
        }
        Stamp now;
        try {
            now = Stamp.of(path);
        } catch (NoSuchFileException deleted) {
            return;
        }
        if (!now.sameFile(opened)) {
            return;
        }
        if (!now.modified().equals(opened.modified())) {
            throw new FileChangedException(source, "its modification time went from " + opened.modified() + " to "
                    + now.modified());
        }
        if (!Objects.equals(now.changed(), opened.changed())) {
            throw new FileChangedException(source, "its status-change time went from " + opened.changed() + " to "
                    + now.changed());
        }
    }

    /**
     * Checks the file after a reader failed on its contents: when it changed, the change is the
     * cause, and the reader's exception is kept as suppressed.
     *
     * @param failure what the reader found
     * @return {@code failure}, when the file is unchanged
     * @throws FileChangedException if the file changed
     */
    <E extends IOException> E unlessChanged(E failure) throws IOException {
        try {
            check();
        } catch (FileChangedException changed) {
            changed.addSuppressed(failure);
            throw changed;
        }
        return failure;
    }

    /**
     * The exception for an access to a mapped page that failed because the file became shorter:
     * the JVM reports it as an {@link InternalError} whose message names an unsafe memory access.
     *
     * @param error an error thrown while reading mapped memory
     * @return the exception to throw instead, with {@code error} as its cause
     * @throws InternalError {@code error} itself, when it is not such a fault
     */
    FileChangedException accessFault(InternalError error) {
        String message = error.getMessage();
        if (message == null || !message.contains("unsafe memory access")) {
            throw error;
        }
        long now;
        try {
            now = channel.size();
        } catch (IOException | RuntimeException e) {
            now = -1;
        }
        FileChangedException changed = new FileChangedException(source, "a page of the mapped file could not be read"
                + (now >= 0 ? " (its size went from " + opened.size() + " to " + now + " bytes)" : ""));
        changed.initCause(error);
        return changed;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** "a directory", "a FIFO (named pipe)", ...: what a path that is not a regular file names. */
    private static String describe(Path path, Stamp stamp) {
        if (stamp.directory()) {
            return "a directory";
        }
        if (stamp.mode() >= 0) {
            switch (stamp.mode() & S_IFMT) {
                case 0010000 -> {
                    return "a FIFO (named pipe)";
                }
                case 0020000 -> {
                    return "a character device";
                }
                case 0060000 -> {
                    return "a block device";
                }
                case 0140000 -> {
                    return "a socket";
                }
                default -> {
                }
            }
        }
        return "not a regular file";
    }

    /**
     * What a file is at one moment.
     *
     * @param fileKey the platform's identity of the file (device and inode), or null
     * @param regular whether it is a regular file
     * @param directory whether it is a directory
     * @param mode the Unix mode bits, or -1 where there are none
     * @param size its length in bytes
     * @param modified its modification time
     * @param changed its status-change time, or null where there is none
     */
    private record Stamp(Object fileKey, boolean regular, boolean directory, int mode, long size, FileTime modified,
            FileTime changed) {

        private static final String UNIX = "unix:fileKey,isRegularFile,isDirectory,mode,size,lastModifiedTime,ctime";

        /** Reads the attributes of the file {@code path} names, following links. */
        static Stamp of(Path path) throws IOException {
            if (path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                Map<String, Object> a = Files.readAttributes(path, UNIX);
                return new Stamp(a.get("fileKey"), (Boolean) a.get("isRegularFile"), (Boolean) a.get("isDirectory"),
                        (Integer) a.get("mode"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
                        (FileTime) a.get("ctime"));
            }
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.isRegularFile(), a.isDirectory(), -1, a.size(), a.lastModifiedTime(),
                    null);
        }

        /** Whether both stamps are of the same file, as far as the platform tells. */
        boolean sameFile(Stamp other) {
            return fileKey == null || other.fileKey == null || fileKey.equals(other.fileKey);
        }
    }
}
