package dev.lanes.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Builds IDX bytes for tests: whole files from arrays, and hand-made headers. */
final class IdxFiles {

    private IdxFiles() {
    }

    /** The raw IDX bytes of {@code array}. */
    static byte[] raw(IdxArray array) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            IdxWriter.write(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code bytes} gzip-compressed. */
    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A header with the given type code and dimensions, followed by {@code dataBytes} zero bytes. */
    static byte[] header(int typeCode, int[] dims, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
        b.put((byte) 0).put((byte) 0).put((byte) typeCode).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }
}
