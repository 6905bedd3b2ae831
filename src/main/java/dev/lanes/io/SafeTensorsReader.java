package dev.lanes.io;

import dev.lanes.io.SafeTensorsFormatException.Rule;
import dev.lanes.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

/**
 * Reads a whole safetensors file from memory (a mapped file or a buffer): every check first, in
 * the order of the file (lengths, UTF-8, JSON, layout, then what Lanes can hold), and tensors
 * only once the file is known to be valid, so a failure never leaves a partial result and no
 * allocation is larger than what the file holds (the header is at most
 * {@link SafeTensors#MAX_HEADER_BYTES}, checked before it is read, and its entries are held to
 * the limits {@link HeaderParser} checks).
 */
final class SafeTensorsReader {

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The buffer strict UTF-8 decoding writes into and throws away, in chars. */
    private static final int UTF8_CHECK_CHARS = 8192;

    private SafeTensorsReader() {
    }

    /**
     * Reads a whole file: {@link #validate}, then every tensor.
     *
     * @param file the whole file
     * @param source its name, for messages
     * @return the tensors in header order and the metadata
     * @throws SafeTensorsFormatException if the file breaks a rule or holds what Lanes cannot represent
     */
    static SafeTensorsFile read(MemorySegment file, String source) throws SafeTensorsFormatException {
        Validated v = validate(file, source);
        LinkedHashMap<String, Tensor> tensors = LinkedHashMap.newLinkedHashMap(v.header().entries().size());
        for (Header.Entry e : v.header().entries()) {
            tensors.put(e.name(), TensorDecoder.decode(v.data(), e));
        }
        return v.file(tensors);
    }

    /**
     * A file whose header has been read and every check passed, so that each of its tensors can
     * be decoded from {@link #data}.
     *
     * @param header the parsed header
     * @param data the data buffer (the file after the header)
     */
    record Validated(Header header, MemorySegment data) {

        /** The result, once {@code tensors} (in header order) have been decoded. */
        SafeTensorsFile file(LinkedHashMap<String, Tensor> tensors) {
            return new SafeTensorsFile(tensors, new LinkedHashMap<>(header.metadata()));
        }
    }

    /**
     * Reads and checks the header of a whole file: lengths, UTF-8, JSON and its limits, layout,
     * and then that Lanes can hold each tensor.
     *
     * @param file the whole file
     * @param source its name, for messages
     * @return the header and the data buffer
     * @throws SafeTensorsFormatException if the file breaks a rule or holds what Lanes cannot represent
     */
    static Validated validate(MemorySegment file, String source) throws SafeTensorsFormatException {
        long size = file.byteSize();
        if (size < 8) {
            throw tooShort(source, size);
        }
        long n = file.get(U64, 0);
        if (Long.compareUnsigned(n, SafeTensors.MAX_HEADER_BYTES) > 0) {
            throw new SafeTensorsFormatException(source, Rule.HEADER_TOO_LARGE, null, "the header length is "
                    + Long.toUnsignedString(n) + " bytes");
        }
        if (n > size - 8) {
            throw new SafeTensorsFormatException(source, Rule.HEADER_PAST_END, null, "the header length is " + n
                    + " bytes, but " + (size - 8) + " bytes follow it");
        }
        byte[] bytes = new byte[(int) n];
        MemorySegment.copy(file, ValueLayout.JAVA_BYTE, 8, bytes, 0, bytes.length);
        Header header = HeaderParser.parse(utf8(bytes, source), source);
        LayoutCheck.check(header, n, size, source);
        for (Header.Entry e : header.entries()) {
            checkRepresentable(e, source);
        }
        return new Validated(header, file.asSlice(8 + n));
    }

    /** The error for a file of {@code size < 8} bytes. */
    static SafeTensorsFormatException tooShort(String source, long size) {
        return new SafeTensorsFormatException(source, Rule.FILE_TOO_SHORT, null, "the file has " + size + " bytes");
    }

    /** Lanes' own limits, on a file that is valid: four dtypes, int dimensions, arrays of at most MAX_ELEMENTS. */
    private static void checkRepresentable(Header.Entry e, String source) throws SafeTensorsFormatException {
        if (!e.dtype().readable()) {
            throw new SafeTensorsFormatException(source, Rule.UNSUPPORTED_DTYPE, e.name(), "the tensor is "
                    + e.dtype());
        }
        for (long d : e.shape()) {
            if (d > Integer.MAX_VALUE) {
                throw new SafeTensorsFormatException(source, Rule.TOO_LARGE_FOR_LANES, e.name(), "shape "
                        + LayoutCheck.shape(e.shape()) + " has a dimension of " + d);
            }
        }
        long count = LayoutCheck.elementCount(e, source);
        if (count > SafeTensors.MAX_ELEMENTS) {
            throw new SafeTensorsFormatException(source, Rule.TOO_LARGE_FOR_LANES, e.name(), "shape "
                    + LayoutCheck.shape(e.shape()) + " has " + count + " elements");
        }
    }

    /**
     * Strict UTF-8: malformed, overlong and surrogate encodings are errors, reported at their
     * byte. The bytes are checked through a small buffer first, so that decoding them allocates
     * only the string itself.
     */
    private static String utf8(byte[] bytes, String source) throws SafeTensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(UTF8_CHECK_CHARS);
        CoderResult result;
        do {
            out.clear();
            result = decoder.decode(in, out, true);
        } while (result.isOverflow());
        if (!result.isError()) {
            do {
                out.clear();
                result = decoder.flush(out);
            } while (result.isOverflow());
        }
        if (result.isError()) {
            throw new SafeTensorsFormatException(source, Rule.HEADER_NOT_UTF8, null, "an invalid sequence at byte "
                    + (8 + in.position()) + " of the file");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
