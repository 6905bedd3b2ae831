package dev.lanes.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed.
 *
 * <p>An IDX file is a magic number (two zero bytes, a {@link IdxType type code}, the number of
 * dimensions), one big-endian int32 size per dimension, then the elements, big-endian,
 * row-major, and nothing else. A gzip file is recognised by its magic bytes {@code 1f 8b},
 * whatever its name.
 *
 * <p>Every file is checked: a bad magic number, an unknown type code, no dimensions, a negative
 * size, more data than a Java array holds, a file that ends early and bytes after the data all
 * raise an {@link IdxFormatException} naming the file and the problem, and so does a damaged
 * gzip stream. No buffer is sized from a header before the header is checked: a raw file's
 * sizes must agree with its length before its data is read, and a gzip file's data (whose length
 * is not known in advance) is read in growing chunks, so that a header promising more than the
 * stream holds fails on the missing bytes instead of allocating them.
 */
public final class Idx {

    private static final int GZIP_BUFFER = 1 << 16;
    private static final int FIRST_CHUNK = 1 << 20;

    private Idx() {
    }

    /**
     * Reads an IDX file.
     *
     * @param file a raw or gzip-compressed IDX file
     * @return its contents
     * @throws IdxFormatException if the file is not a valid IDX file
     * @throws IOException        if it cannot be read
     */
    public static IdxArray read(Path file) throws IOException {
        String source = file.toString();
        long length = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), GZIP_BUFFER)) {
            return read(in, source, length);
        }
    }

    /**
     * Reads an IDX file from a stream, to its end, without closing it. Used for class-path
     * resources, whose length is not known in advance.
     *
     * @param in     a raw or gzip-compressed IDX file
     * @param source the name to give in error messages
     * @return its contents
     * @throws IdxFormatException if the stream does not hold a valid IDX file
     * @throws IOException        if it cannot be read
     */
    public static IdxArray read(InputStream in, String source) throws IOException {
        InputStream marked = in.markSupported() ? in : new BufferedInputStream(in, GZIP_BUFFER);
        return read(marked, source, -1);
    }

    private static IdxArray read(InputStream in, String source, long length) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 != 0x1f || b1 != 0x8b) {
            return parse(in, source, length);
        }
        InputStream shield = new FilterInputStream(in) {
            @Override
            public void close() {
                // the caller closes the underlying stream; closing the gzip stream frees its inflater
            }
        };
        try (InputStream gz = new GZIPInputStream(shield, GZIP_BUFFER)) {
            return parse(gz, source, -1);
        } catch (EOFException e) {
            throw new IdxFormatException(source, "truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new IdxFormatException(source, "damaged gzip stream (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Parses an uncompressed IDX stream.
     *
     * @param length the stream's length in bytes if known, else -1
     */
    private static IdxArray parse(InputStream in, String source, long length) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new IdxFormatException(source, "truncated: " + magic.length
                    + " bytes, too short for the 4-byte magic number");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(source, String.format(
                    "bad magic number %02x %02x %02x %02x: an IDX file starts with two zero bytes",
                    magic[0], magic[1], magic[2], magic[3]));
        }
        IdxType type = IdxType.ofCode(magic[2] & 0xFF);
        if (type == null) {
            throw new IdxFormatException(source, String.format("unknown type code 0x%02x (known: 0x08 ubyte,"
                    + " 0x09 byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double)", magic[2] & 0xFF));
        }
        int rank = magic[3] & 0xFF;
        if (rank == 0) {
            throw new IdxFormatException(source, "the header declares 0 dimensions");
        }
        int[] dims = readDims(in, source, rank);
        long dataBytes = IdxArray.dataBytes(type, dims);
        if (dataBytes < 0) {
            throw new IdxFormatException(source, "size overflow: dimensions " + Arrays.toString(dims) + " of " + type
                    + " need more than " + IdxArray.MAX_DATA_BYTES + " bytes, the most an array holds");
        }
        long headerBytes = 4L + 4L * rank;
        if (length >= 0) {
            long dataInFile = length - headerBytes;
            if (dataInFile < dataBytes) {
                throw truncated(source, dims, type, dataBytes, dataInFile);
            }
            if (dataInFile > dataBytes) {
                throw trailing(source, dims, type, dataBytes, dataInFile - dataBytes + " bytes");
            }
        }
        byte[] data = readData(in, dataBytes, length >= 0);
        if (data.length < dataBytes) {
            throw truncated(source, dims, type, dataBytes, data.length);
        }
        if (in.read() != -1) {
            throw trailing(source, dims, type, dataBytes, "extra bytes");
        }
        return IdxArray.wrap(type, dims, data);
    }

    private static int[] readDims(InputStream in, String source, int rank) throws IOException {
        byte[] raw = in.readNBytes(4 * rank);
        if (raw.length < 4 * rank) {
            throw new IdxFormatException(source, "truncated header: " + rank + " dimensions need " + 4 * rank
                    + " bytes of sizes, found " + raw.length);
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = (raw[4 * i] & 0xFF) << 24 | (raw[4 * i + 1] & 0xFF) << 16 | (raw[4 * i + 2] & 0xFF) << 8
                    | raw[4 * i + 3] & 0xFF;
            if (dims[i] < 0) {
                throw new IdxFormatException(source, "dimension " + i + " has a negative size, " + dims[i]);
            }
        }
        return dims;
    }

    /**
     * Reads up to {@code bytes} bytes. With a checked length the buffer is allocated at once;
     * otherwise it starts small and doubles as data arrives.
     *
     * @return the bytes read, fewer than asked if the stream ended first
     */
    private static byte[] readData(InputStream in, long bytes, boolean lengthChecked) throws IOException {
        int total = (int) bytes;
        byte[] buf = new byte[lengthChecked ? total : Math.min(total, FIRST_CHUNK)];
        int filled = 0;
        while (filled < total) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                return Arrays.copyOf(buf, filled);
            }
            filled += n;
        }
        return buf;
    }

    private static IdxFormatException truncated(String source, int[] dims, IdxType type, long need, long have) {
        return new IdxFormatException(source, "truncated: dimensions " + Arrays.toString(dims) + " of " + type
                + " need " + need + " bytes of data, found " + have);
    }

    private static IdxFormatException trailing(String source, int[] dims, IdxType type, long need, String extra) {
        return new IdxFormatException(source, "trailing bytes: " + extra + " after the " + need
                + " bytes of data of dimensions " + Arrays.toString(dims) + " of " + type);
    }
}
