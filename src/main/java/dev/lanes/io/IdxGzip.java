package dev.lanes.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The gzip layer of an IDX file (RFC 1952), read strictly: one or more members, each with a
 * valid header (deflate, no reserved flag, its CRC-16 when it has one), deflate data, and a
 * trailer whose CRC-32 and length match what was inflated; after the last member the input
 * ends. A byte after a member that does not start another member is refused, where
 * {@link java.util.zip.GZIPInputStream} would ignore it.
 *
 * <p>Nothing is inflated ahead of the reader: each {@link #read(byte[], int, int)} inflates at
 * most what it was asked for, so a stream that holds far more than its IDX header declares costs
 * only the bytes read before the surplus is seen. Every problem is an {@link IdxFormatException}
 * naming the source.
 */
final class IdxGzip extends InputStream {

    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED = 0xE0;

    private final InputStream in;
    private final String source;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final CRC32 headerCrc = new CRC32();
    private final byte[] buffer;
    /** The input not yet given to the inflater or parsed is {@code buffer[position, limit)}. */
    private int position;
    private int limit;
    /** Whether the stream is inside a member's deflate data. */
    private boolean inMember;
    private boolean ended;
    private int members;
    /** The bytes inflated from the current member. */
    private long memberBytes;

    /**
     * @param in the compressed bytes, starting at the first member's magic number
     * @param source the name to give in error messages
     * @param bufferSize how many compressed bytes to read at once
     */
    IdxGzip(InputStream in, String source, int bufferSize) {
        this.in = in;
        this.source = source;
        this.buffer = new byte[bufferSize];
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (!ended) {
            if (!inMember) {
                if (!startMember()) {
                    ended = true;
                    break;
                }
                continue;
            }
            if (inflater.needsInput()) {
                if (position == limit && !fill()) {
                    throw truncated("the input ends inside the compressed data of member " + members);
                }
                inflater.setInput(buffer, position, limit - position);
                position = limit;
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new IdxFormatException(source, "damaged gzip stream (member " + members + ": "
                        + e.getMessage() + ")", e);
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                position = limit - inflater.getRemaining();
                endMember();
            } else if (inflater.needsDictionary()) {
                throw damaged("member " + members + " asks for a preset dictionary");
            } else if (!inflater.needsInput()) {
                throw damaged("member " + members + " stops inflating before its end");
            }
        }
        return -1;
    }

    @Override
    public void close() {
        inflater.end();
    }

    /**
     * Reads a member's header, or finds the end of the input after a member.
     *
     * @return false at the end of the input after at least one member
     */
    private boolean startMember() throws IOException {
        headerCrc.reset();
        int id1 = headerByte(false);
        if (id1 < 0) {
            return false;
        }
        int id2 = headerByte(false);
        if (id1 != 0x1f || id2 != 0x8b) {
            if (members == 0) {
                throw damaged("no gzip magic number");
            }
            throw new IdxFormatException(source, String.format("trailing bytes: the gzip stream ends after %d"
                    + " member%s, then byte 0x%02x does not start another member", members, members == 1 ? "" : "s",
                    id1));
        }
        members++;
        int method = headerByte(true);
        if (method != 8) {
            throw damaged("member " + members + " uses compression method " + method + ", not 8 (deflate)");
        }
        int flags = headerByte(true);
        if ((flags & RESERVED) != 0) {
            throw damaged(String.format("member %d sets reserved flag bits 0x%02x", members, flags & RESERVED));
        }
        for (int i = 0; i < 6; i++) {
            headerByte(true); // modification time, extra flags, operating system
        }
        if ((flags & FEXTRA) != 0) {
            int length = headerByte(true) | headerByte(true) << 8;
            for (int i = 0; i < length; i++) {
                headerByte(true);
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte(true) != 0) {
                // the original file name, not used
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte(true) != 0) {
                // a comment, not used
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) (headerCrc.getValue() & 0xFFFF);
            int stored = headerByte(true) | headerByte(true) << 8;
            if (stored != expected) {
                throw damaged(String.format("member %d has header CRC-16 0x%04x, but its header gives 0x%04x",
                        members, stored, expected));
            }
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inMember = true;
        return true;
    }

    /** Reads and checks a member's trailer: the CRC-32 and the length (mod 2^32) of what was inflated. */
    private void endMember() throws IOException {
        long storedCrc = trailerWord();
        long storedSize = trailerWord();
        if (storedCrc != crc.getValue()) {
            throw damaged(String.format("member %d has CRC-32 0x%08x, but its data gives 0x%08x", members, storedCrc,
                    crc.getValue()));
        }
        if (storedSize != (memberBytes & 0xFFFFFFFFL)) {
            throw damaged("member " + members + " records " + storedSize + " bytes (mod 2^32), but "
                    + memberBytes + " were inflated");
        }
        inMember = false;
    }

    private long trailerWord() throws IOException {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int b = nextByte();
            if (b < 0) {
                throw truncated("the input ends inside the trailer of member " + members);
            }
            v |= (long) b << (8 * i);
        }
        return v;
    }

    /**
     * One byte of a member header, counted in the header's CRC.
     *
     * @param required whether the end of the input here is an error (else -1 is returned)
     */
    private int headerByte(boolean required) throws IOException {
        int b = nextByte();
        if (b < 0) {
            if (required) {
                throw truncated("the input ends inside the header of member " + members);
            }
            return -1;
        }
        headerCrc.update(b);
        return b;
    }

    private int nextByte() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xFF;
    }

    /** Refills the buffer; false at the end of the input. */
    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private IdxFormatException truncated(String detail) {
        return new IdxFormatException(source, "truncated gzip stream (" + detail + ")");
    }

    private IdxFormatException damaged(String detail) {
        return new IdxFormatException(source, "damaged gzip stream (" + detail + ")");
    }
}
