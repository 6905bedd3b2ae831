package dev.lanes.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX files that {@link Idx} reads back: the header, then the data as {@link IdxArray}
 * holds it.
 */
public final class IdxWriter {

    private IdxWriter() {
    }

    /**
     * Writes {@code array} to {@code file}, replacing it atomically: the bytes go to a temporary
     * file in the same directory, which is then moved over {@code file}, so that a failure leaves
     * the previous file untouched.
     *
     * @param file  the file to write
     * @param array the contents
     * @param gzip  true to gzip-compress the file
     * @throws IOException if it cannot be written
     */
    public static void write(Path file, IdxArray array, boolean gzip) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream plain = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                    OutputStream out = gzip ? new GZIPOutputStream(plain, 1 << 16) : plain) {
                write(out, array);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code array} uncompressed to a stream, without closing it.
     *
     * @param out   the stream
     * @param array the contents
     * @throws IOException if the stream fails
     */
    public static void write(OutputStream out, IdxArray array) throws IOException {
        int rank = array.rank();
        byte[] header = new byte[4 + 4 * rank];
        header[2] = (byte) array.type().code();
        header[3] = (byte) rank;
        for (int i = 0; i < rank; i++) {
            int d = array.dim(i);
            header[4 + 4 * i] = (byte) (d >>> 24);
            header[5 + 4 * i] = (byte) (d >>> 16);
            header[6 + 4 * i] = (byte) (d >>> 8);
            header[7 + 4 * i] = (byte) d;
        }
        out.write(header);
        out.write(array.data());
    }
}
