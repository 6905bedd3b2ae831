package dev.lanes.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed.
 *
 * <p>An IDX file is a magic number (two zero bytes, a {@link IdxType type code}, the number of
 * dimensions), one big-endian int32 size per dimension, then the elements, big-endian,
 * row-major, and nothing else. A gzip file is recognised by its magic bytes {@code 1f 8b},
 * whatever its name; it may have several members, as {@code cat a.gz b.gz} makes.
 *
 * <p>Every file is checked: a bad magic number, an unknown type code, no dimensions, a negative
 * size, more data than a Java array holds or than the limit allows, a file that ends early and
 * bytes after the data all raise an {@link IdxFormatException} naming the file and the problem.
 * Bytes after the data are refused in every encoding: in a raw file, in what a gzip file
 * inflates to, and after the last gzip member. A damaged gzip stream (a bad header, CRC-32 or
 * length, a reserved flag) is refused too.
 *
 * <p><b>Memory.</b> The data a header declares is checked against a limit,
 * {@link #DEFAULT_MAX_DATA_BYTES} unless the caller gives another, before anything is read, and
 * no more is ever read or inflated than the header declares plus the one byte that shows a
 * surplus, so a small gzip file that inflates to gigabytes costs no more than its header allows.
 * No buffer is sized from a header before the header is checked: a raw file's sizes must agree
 * with its length before its data is read, and other data (whose length is not known in advance)
 * is read in growing chunks, so that a header promising more than the stream holds fails on the
 * missing bytes instead of allocating them; the data then needs at most about twice its size.
 *
 * <p><b>Files.</b> A path that names anything but a regular file (a directory, a FIFO, a device)
 * is refused with {@link NotRegularFileException} before it is opened. A file that another
 * process truncates, extends or rewrites while it is read raises {@link FileChangedException}
 * (its size and time stamps are compared with those it had when it was opened; see
 * {@link SafeTensors} for what time stamps can and cannot show).
 */
public final class Idx {

    /**
     * The most bytes of data (the elements, after decompression) a file may declare unless the
     * caller allows more: 1 GiB, over twenty times the data of MNIST's training images.
     */
    public static final long DEFAULT_MAX_DATA_BYTES = 1L << 30;

    private static final int GZIP_BUFFER = 1 << 16;
    private static final int FIRST_CHUNK = 1 << 20;

    private Idx() {
    }

    /**
     * Reads an IDX file of at most {@link #DEFAULT_MAX_DATA_BYTES} bytes of data.
     *
     * @param file a raw or gzip-compressed IDX file
     * @return its contents
     * @throws IdxFormatException     if the file is not a valid IDX file or declares more data than
     *                                the limit
     * @throws NotRegularFileException if the path names a directory, FIFO, socket or device
     * @throws FileChangedException   if another process changed the file while it was being read
     * @throws IOException            if it cannot be read
     */
    public static IdxArray read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_DATA_BYTES);
    }

    /**
     * Reads an IDX file whose data may be up to {@code maxDataBytes} bytes.
     *
     * @param file         a raw or gzip-compressed IDX file
     * @param maxDataBytes the most bytes of data (after decompression) to accept, from 0 to
     *                     {@link IdxArray#MAX_DATA_BYTES}
     * @return its contents
     * @throws IllegalArgumentException if {@code maxDataBytes} is out of that range
     * @throws IdxFormatException     if the file is not a valid IDX file or declares more data than
     *                                {@code maxDataBytes}
     * @throws NotRegularFileException if the path names a directory, FIFO, socket or device
     * @throws FileChangedException   if another process changed the file while it was being read
     * @throws IOException            if it cannot be read
     */
    public static IdxArray read(Path file, long maxDataBytes) throws IOException {
        return read(file, maxDataBytes, WatchedFile.Hook.NONE);
    }

    /** {@link #read(Path, long)} with a hook called once the file is open, for tests. */
    static IdxArray read(Path file, long maxDataBytes, WatchedFile.Hook hook) throws IOException {
        checkLimit(maxDataBytes);
        try (WatchedFile f = WatchedFile.open(file, "an IDX file")) {
            hook.at("open");
            IdxArray array;
            try {
                InputStream in = new BufferedInputStream(Channels.newInputStream(f.channel()), GZIP_BUFFER);
                array = read(in, f.source(), f.size(), maxDataBytes);
            } catch (IdxFormatException invalid) {
                throw f.unlessChanged(invalid);
            }
            f.check();
            return array;
        }
    }

    /**
     * Reads an IDX file of at most {@link #DEFAULT_MAX_DATA_BYTES} bytes of data from a stream,
     * to its end, without closing it. Used for class-path resources, whose length is not known
     * in advance.
     *
     * @param in     a raw or gzip-compressed IDX file
     * @param source the name to give in error messages
     * @return its contents
     * @throws IdxFormatException if the stream does not hold a valid IDX file or declares more
     *                            data than the limit
     * @throws IOException        if it cannot be read
     */
    public static IdxArray read(InputStream in, String source) throws IOException {
        return read(in, source, DEFAULT_MAX_DATA_BYTES);
    }

    /**
     * Reads an IDX file whose data may be up to {@code maxDataBytes} bytes from a stream, to its
     * end, without closing it.
     *
     * @param in           a raw or gzip-compressed IDX file
     * @param source       the name to give in error messages
     * @param maxDataBytes the most bytes of data (after decompression) to accept, from 0 to
     *                     {@link IdxArray#MAX_DATA_BYTES}
     * @return its contents
     * @throws IllegalArgumentException if {@code maxDataBytes} is out of that range
     * @throws IdxFormatException if the stream does not hold a valid IDX file or declares more
     *                            data than {@code maxDataBytes}
     * @throws IOException        if it cannot be read
     */
    public static IdxArray read(InputStream in, String source, long maxDataBytes) throws IOException {
        checkLimit(maxDataBytes);
        InputStream marked = in.markSupported() ? in : new BufferedInputStream(in, GZIP_BUFFER);
        return read(marked, source, -1, maxDataBytes);
    }

    private static void checkLimit(long maxDataBytes) {
        if (maxDataBytes < 0 || maxDataBytes > IdxArray.MAX_DATA_BYTES) {
            throw new IllegalArgumentException("Idx.read: maxDataBytes is " + maxDataBytes + ", outside 0.."
                    + IdxArray.MAX_DATA_BYTES);
        }
    }

    private static IdxArray read(InputStream in, String source, long length, long maxDataBytes) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 != 0x1f || b1 != 0x8b) {
            return parse(in, source, length, maxDataBytes);
        }
        try (IdxGzip gz = new IdxGzip(in, source, GZIP_BUFFER)) {
            return parse(gz, source, -1, maxDataBytes);
        }
    }

    /**
     * Parses an uncompressed IDX stream.
     *
     * @param length the stream's length in bytes if known, else -1
     */
    private static IdxArray parse(InputStream in, String source, long length, long maxDataBytes)
            throws IOException {
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
        if (dataBytes > maxDataBytes) {
            throw new IdxFormatException(source, "over the data limit: dimensions " + Arrays.toString(dims) + " of "
                    + type + " need " + dataBytes + " bytes of data, more than the " + maxDataBytes
                    + " bytes allowed (Idx.read takes a larger limit, up to " + IdxArray.MAX_DATA_BYTES + ")");
        }
        byte[] data = readData(in, source, dims, type, dataBytes, length >= 0);
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
     * Reads exactly {@code bytes} bytes. With a checked length the buffer is allocated at once;
     * otherwise it starts small and doubles as data arrives, so that it is never more than twice
     * what has arrived.
     *
     * @return the bytes
     * @throws IdxFormatException if the stream ends first
     */
    private static byte[] readData(InputStream in, String source, int[] dims, IdxType type, long bytes,
            boolean lengthChecked) throws IOException {
        int total = (int) bytes;
        byte[] buf = new byte[lengthChecked ? total : Math.min(total, FIRST_CHUNK)];
        int filled = 0;
        while (filled < total) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                throw truncated(source, dims, type, bytes, filled);
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
