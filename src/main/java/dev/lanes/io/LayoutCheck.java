package dev.lanes.io;

import static dev.lanes.io.SafeTensorsFormatException.quote;

import dev.lanes.io.SafeTensorsFormatException.Rule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Checks a parsed header against the data buffer, as the reference implementation does: taken
 * in order of {@code data_offsets} (the order of the header is free), the tensors' bytes start
 * at 0 and follow each other without gaps or overlaps, each tensor holds exactly its element
 * count times its dtype's size (neither overflowing 64 bits, nor a partial byte), and the last
 * one ends where the file ends.
 */
final class LayoutCheck {

    private LayoutCheck() {
    }

    /**
     * @param header the parsed header
     * @param headerLength its length in bytes
     * @param fileLength the length of the whole file
     * @param source the file, for messages
     * @throws SafeTensorsFormatException at the first violation
     */
    static void check(Header header, long headerLength, long fileLength, String source)
            throws SafeTensorsFormatException {
        long dataLength = fileLength - 8 - headerLength;
        List<Header.Entry> byOffset = new ArrayList<>(header.entries());
        byOffset.sort(Comparator.comparingLong(Header.Entry::begin).thenComparingLong(Header.Entry::end));
        long expected = 0;
        Header.Entry previous = null;
        for (Header.Entry e : byOffset) {
            if (e.begin() != expected) {
                String where = previous == null ? "the first data begins at byte " + e.begin() + ", not 0"
                        : e.begin() > expected
                        ? "bytes [" + expected + ", " + e.begin() + ") between it and tensor " + quote(previous.name())
                                + " belong to no tensor"
                        : "it overlaps tensor " + quote(previous.name()) + " at " + offsets(previous);
                throw new SafeTensorsFormatException(source, Rule.OFFSETS_NOT_CONTIGUOUS, e.name(),
                        "data_offsets " + offsets(e) + ": " + where);
            }
            long bytes = byteCount(e, source);
            if (e.end() - e.begin() != bytes) {
                throw new SafeTensorsFormatException(source, Rule.SIZE_MISMATCH, e.name(), "dtype " + e.dtype()
                        + " and shape " + shape(e.shape()) + " need " + bytes + " bytes, data_offsets "
                        + offsets(e) + " hold " + (e.end() - e.begin()));
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataLength) {
            throw new SafeTensorsFormatException(source, Rule.FILE_LENGTH, previous == null ? null : previous.name(),
                    "the tensors' data is " + expected + " bytes, but the file of " + fileLength
                            + " bytes holds 8 + " + headerLength + " + " + dataLength);
        }
    }

    /** The element count times the element size, in bytes. */
    static long byteCount(Header.Entry e, String source) throws SafeTensorsFormatException {
        long elements = elementCount(e, source);
        int bits = e.dtype().bits();
        try {
            if (bits % 8 == 0) {
                return Math.multiplyExact(elements, bits / 8);
            }
            long total = Math.multiplyExact(elements, bits);
            if (total % 8 != 0) {
                throw new SafeTensorsFormatException(source, Rule.SIZE_MISMATCH, e.name(), elements + " elements of "
                        + e.dtype() + " are not a whole number of bytes");
            }
            return total / 8;
        } catch (ArithmeticException overflow) {
            throw new SafeTensorsFormatException(source, Rule.SIZE_OVERFLOW, e.name(), elements + " elements of "
                    + e.dtype() + " are more than 2^63 - 1 bytes");
        }
    }

    /** The product of the shape (1 for a scalar). */
    static long elementCount(Header.Entry e, String source) throws SafeTensorsFormatException {
        long n = 1;
        for (long d : e.shape()) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException overflow) {
                throw new SafeTensorsFormatException(source, Rule.SIZE_OVERFLOW, e.name(), "shape "
                        + shape(e.shape()) + " has more than 2^63 - 1 elements");
            }
        }
        return n;
    }

    /** A shape for a message, the middle left out when it is long. */
    static String shape(long[] dims) {
        if (dims.length <= 16) {
            return Arrays.toString(dims);
        }
        return Arrays.toString(Arrays.copyOf(dims, 8)).replace("]", ", ... (" + dims.length + " dimensions)]");
    }

    private static String offsets(Header.Entry e) {
        return "[" + e.begin() + ", " + e.end() + "]";
    }
}
