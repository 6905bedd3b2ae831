package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.SafeTensorsFormatException.Rule;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One file per way of breaking each rule: the reader throws {@link SafeTensorsFormatException}
 * with that rule, naming the tensor (or none, for rules about the whole file) and stating the
 * rule in its message.
 */
class SafeTensorsValidationTest {

    /** A valid entry: {@code "name":{"dtype":D,"shape":S,"data_offsets":O}} with raw JSON fragments. */
    static String e(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    /** A 4-byte F32 tensor named a at [0, 4]. */
    static final String A = e("a", "\"F32\"", "[1]", "[0,4]");

    static byte[] f(String json, int data) {
        return RawFiles.file(json, data);
    }

    static byte[] header(long length, String json) {
        return RawFiles.file(length, json.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    static byte[] withBytes(String before, byte[] bad, String after, int data) {
        byte[] h = RawFiles.concat(RawFiles.concat(before.getBytes(StandardCharsets.UTF_8), bad),
                after.getBytes(StandardCharsets.UTF_8));
        return RawFiles.file(h.length, h, new byte[data]);
    }

    static Arguments row(String label, byte[] file, Rule rule, String tensor) {
        return Arguments.of(label, file, rule, tensor);
    }

    static Stream<Arguments> cases() {
        String nameWithBadByte = "{\"a";
        String deep = "[".repeat(100_000);
        return Stream.of(
                row("5-byte file", new byte[5], Rule.FILE_TOO_SHORT, null),
                row("empty file", new byte[0], Rule.FILE_TOO_SHORT, null),
                row("header length 100000001", header(100_000_001L, "{}"), Rule.HEADER_TOO_LARGE, null),
                row("header length 2^64 - 1", header(-1L, "{}"), Rule.HEADER_TOO_LARGE, null),
                row("header length 2^63", header(Long.MIN_VALUE, "{}"), Rule.HEADER_TOO_LARGE, null),
                row("header length past the end", header(1000, "{}"), Rule.HEADER_PAST_END, null),
                row("header length one past the end", header(3, "{}"), Rule.HEADER_PAST_END, null),
                row("0xFF in a name", withBytes(nameWithBadByte, new byte[] {(byte) 0xFF}, "\":{}}", 0),
                        Rule.HEADER_NOT_UTF8, null),
                row("overlong '/'", withBytes(nameWithBadByte, new byte[] {(byte) 0xC0, (byte) 0xAF}, "\":{}}", 0),
                        Rule.HEADER_NOT_UTF8, null),
                row("encoded surrogate", withBytes(nameWithBadByte, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        "\":{}}", 0), Rule.HEADER_NOT_UTF8, null),
                row("cut sequence at the end", withBytes("{}", new byte[] {(byte) 0xE2, (byte) 0x82}, "", 0),
                        Rule.HEADER_NOT_UTF8, null),
                row("lone continuation byte", withBytes("{} ", new byte[] {(byte) 0x80}, "", 0),
                        Rule.HEADER_NOT_UTF8, null),
                row("array at the top", f("[]", 0), Rule.HEADER_NOT_OBJECT, null),
                row("string at the top", f("\"a\"", 0), Rule.HEADER_NOT_OBJECT, null),
                row("leading space", f(" {}", 0), Rule.HEADER_NOT_OBJECT, null),
                row("empty header", f("", 0), Rule.HEADER_NOT_OBJECT, null),
                row("trailing comma", f("{" + A + ",}", 4), Rule.JSON_SYNTAX, null),
                row("object not closed", f("{" + A, 4), Rule.JSON_SYNTAX, "a"),
                row("string not closed", f("{\"a\":{\"dtype\":\"F32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                        Rule.JSON_SYNTAX, "a"),
                row("bad \\u escape", f("{" + e("a", "\"F\\u00zz\"", "[1]", "[0,4]") + "}", 4), Rule.JSON_SYNTAX, "a"),
                row("bad escape", f("{" + e("a", "\"F\\x\"", "[1]", "[0,4]") + "}", 4), Rule.JSON_SYNTAX, "a"),
                row("leading zero", f("{" + e("a", "\"F32\"", "[01]", "[0,4]") + "}", 4), Rule.JSON_SYNTAX, "a"),
                row("minus without digits", f("{" + e("a", "\"F32\"", "[-]", "[0,4]") + "}", 4), Rule.JSON_SYNTAX, "a"),
                row("fraction without digits", f("{" + e("a", "\"F32\"", "[1.]", "[0,4]") + "}", 4), Rule.JSON_SYNTAX,
                        "a"),
                row("element missing after comma", f("{" + e("a", "\"F32\"", "[1,]", "[0,4]") + "}", 4),
                        Rule.JSON_SYNTAX, "a"),
                row("NaN", f("{" + e("a", "\"F32\"", "[NaN]", "[0,4]") + "}", 4), Rule.JSON_SYNTAX, "a"),
                row("garbage after the object", f("{" + A + "} x", 4), Rule.JSON_SYNTAX, null),
                row("second object", f("{" + A + "}{}", 4), Rule.JSON_SYNTAX, null),
                row("raw control character", f("{\"a\u0001\":{}}", 0), Rule.JSON_SYNTAX, null),
                row("lone surrogate escape", f("{\"\\ud800\":{}}", 0), Rule.JSON_SYNTAX, null),
                row("reversed surrogate escapes", f("{\"\\udc00\\ud800\":{}}", 0), Rule.JSON_SYNTAX, null),
                row("missing colon", f("{\"a\" {}}", 0), Rule.JSON_SYNTAX, null),
                row("single quotes", f("{'a':{}}", 0), Rule.JSON_SYNTAX, null),
                row("misspelt literal", f("{\"a\":tru}", 0), Rule.JSON_SYNTAX, "a"),
                row("tensor twice", f("{" + A + "," + A + "}", 4), Rule.DUPLICATE_KEY, "a"),
                row("tensor twice, spelt differently", f("{" + A + "," + e("\\u0061", "\"F32\"", "[1]", "[4,8]") + "}",
                        8), Rule.DUPLICATE_KEY, "a"),
                row("dtype twice", f("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        4), Rule.DUPLICATE_KEY, "a"),
                row("metadata key twice", f("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), Rule.DUPLICATE_KEY,
                        "__metadata__"),
                row("metadata twice", f("{\"__metadata__\":{},\"__metadata__\":{}}", 0), Rule.DUPLICATE_KEY,
                        "__metadata__"),
                row("empty name", f("{" + e("", "\"F32\"", "[1]", "[0,4]") + "}", 4), Rule.EMPTY_NAME, ""),
                row("no shape", f("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), Rule.ENTRY_KEYS, "a"),
                row("empty entry", f("{\"a\":{}}", 0), Rule.ENTRY_KEYS, "a"),
                row("unknown key", f("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"offsets\":[0,4]}}", 4),
                        Rule.ENTRY_KEYS, "a"),
                row("extra key", f("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":" + deep + "}}",
                        4), Rule.ENTRY_KEYS, "a"),
                row("dtype a number", f("{" + e("a", "32", "[1]", "[0,4]") + "}", 4), Rule.WRONG_TYPE, "a"),
                row("shape a string", f("{" + e("a", "\"F32\"", "\"[1]\"", "[0,4]") + "}", 4), Rule.WRONG_TYPE, "a"),
                row("shape null", f("{" + e("a", "\"F32\"", "null", "[0,4]") + "}", 4), Rule.WRONG_TYPE, "a"),
                row("offsets an object", f("{" + e("a", "\"F32\"", "[1]", "{\"0\":4}") + "}", 4), Rule.WRONG_TYPE, "a"),
                row("entry an array", f("{\"a\":" + deep + "}", 0), Rule.WRONG_TYPE, "a"),
                row("entry a string", f("{\"a\":\"F32\"}", 0), Rule.WRONG_TYPE, "a"),
                row("metadata an array", f("{\"__metadata__\":[]}", 0), Rule.WRONG_TYPE, "__metadata__"),
                row("metadata value a number", f("{\"__metadata__\":{\"k\":1}}", 0), Rule.WRONG_TYPE, "__metadata__"),
                row("metadata value nested", f("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}", 0), Rule.WRONG_TYPE,
                        "__metadata__"),
                row("unknown dtype", f("{" + e("a", "\"F31\"", "[1]", "[0,4]") + "}", 4), Rule.UNKNOWN_DTYPE, "a"),
                row("lower-case dtype", f("{" + e("a", "\"f32\"", "[1]", "[0,4]") + "}", 4), Rule.UNKNOWN_DTYPE, "a"),
                row("empty dtype", f("{" + e("a", "\"\"", "[1]", "[0,4]") + "}", 4), Rule.UNKNOWN_DTYPE, "a"),
                row("negative size", f("{" + e("a", "\"F32\"", "[-1]", "[0,4]") + "}", 4), Rule.BAD_SHAPE, "a"),
                row("minus zero", f("{" + e("a", "\"F32\"", "[-0]", "[0,0]") + "}", 0), Rule.BAD_SHAPE, "a"),
                row("fractional size", f("{" + e("a", "\"F32\"", "[1.5]", "[0,4]") + "}", 4), Rule.BAD_SHAPE, "a"),
                row("size 1.0", f("{" + e("a", "\"F32\"", "[1.0]", "[0,4]") + "}", 4), Rule.BAD_SHAPE, "a"),
                row("size with exponent", f("{" + e("a", "\"F32\"", "[1e0]", "[0,4]") + "}", 4), Rule.BAD_SHAPE, "a"),
                row("size a string", f("{" + e("a", "\"F32\"", "[\"1\"]", "[0,4]") + "}", 4), Rule.BAD_SHAPE, "a"),
                row("size a boolean", f("{" + e("a", "\"F32\"", "[true]", "[0,4]") + "}", 4), Rule.BAD_SHAPE, "a"),
                row("size a nested array", f("{" + e("a", "\"F32\"", "[" + deep + "]", "[0,4]") + "}", 4),
                        Rule.BAD_SHAPE, "a"),
                row("size over 2^63", f("{" + e("a", "\"F32\"", "[9223372036854775808]", "[0,4]") + "}", 4),
                        Rule.BAD_SHAPE, "a"),
                row("three offsets", f("{" + e("a", "\"F32\"", "[1]", "[0,4,8]") + "}", 4), Rule.BAD_OFFSETS, "a"),
                row("one offset", f("{" + e("a", "\"F32\"", "[1]", "[4]") + "}", 4), Rule.BAD_OFFSETS, "a"),
                row("no offsets", f("{" + e("a", "\"F32\"", "[0]", "[]") + "}", 0), Rule.BAD_OFFSETS, "a"),
                row("begin after end", f("{" + e("a", "\"F32\"", "[1]", "[8,4]") + "}", 8), Rule.BAD_OFFSETS, "a"),
                row("negative offset", f("{" + e("a", "\"F32\"", "[1]", "[-4,0]") + "}", 4), Rule.BAD_OFFSETS, "a"),
                row("offset 4.0", f("{" + e("a", "\"F32\"", "[1]", "[0,4.0]") + "}", 4), Rule.BAD_OFFSETS, "a"),
                row("element count overflows", f("{" + e("a", "\"F32\"", "[4611686018427387904,4]", "[0,4]") + "}", 4),
                        Rule.SIZE_OVERFLOW, "a"),
                row("byte count overflows", f("{" + e("a", "\"F64\"", "[2305843009213693952]", "[0,4]") + "}", 4),
                        Rule.SIZE_OVERFLOW, "a"),
                row("data starts at 4", f("{" + e("a", "\"F32\"", "[1]", "[4,8]") + "}", 8),
                        Rule.OFFSETS_NOT_CONTIGUOUS, "a"),
                row("gap", f("{" + A + "," + e("b", "\"F32\"", "[1]", "[8,12]") + "}", 12),
                        Rule.OFFSETS_NOT_CONTIGUOUS, "b"),
                row("overlap", f("{" + e("b", "\"F32\"", "[2]", "[4,12]") + "," + e("a", "\"F32\"", "[2]", "[0,8]")
                        + "}", 12), Rule.OFFSETS_NOT_CONTIGUOUS, "b"),
                row("same offsets twice", f("{" + A + "," + e("b", "\"F32\"", "[1]", "[0,4]") + "}", 4),
                        Rule.OFFSETS_NOT_CONTIGUOUS, "b"),
                row("too few bytes for the shape", f("{" + e("a", "\"F32\"", "[3]", "[0,8]") + "}", 8),
                        Rule.SIZE_MISMATCH, "a"),
                row("too many bytes for the shape", f("{" + e("a", "\"F64\"", "[]", "[0,16]") + "}", 16),
                        Rule.SIZE_MISMATCH, "a"),
                row("partial byte", f("{" + e("a", "\"F4\"", "[3]", "[0,2]") + "}", 2), Rule.SIZE_MISMATCH, "a"),
                row("one byte of data too many", f("{" + A + "}", 5), Rule.FILE_LENGTH, "a"),
                row("one byte of data missing", f("{" + A + "}", 3), Rule.FILE_LENGTH, "a"),
                row("data without tensors", f("{}", 3), Rule.FILE_LENGTH, null),
                row("I64", f("{" + e("a", "\"I64\"", "[1]", "[0,8]") + "}", 8), Rule.UNSUPPORTED_DTYPE, "a"),
                row("BOOL", f("{" + e("a", "\"BOOL\"", "[2]", "[0,2]") + "}", 2), Rule.UNSUPPORTED_DTYPE, "a"),
                row("F4 of whole bytes", f("{" + e("a", "\"F4\"", "[4]", "[0,2]") + "}", 2), Rule.UNSUPPORTED_DTYPE, "a"),
                row("dimension over 2^31 - 1", f("{" + e("a", "\"F32\"", "[0,3000000000]", "[0,0]") + "}", 0),
                        Rule.TOO_LARGE_FOR_LANES, "a"),
                row("one tensor too many", HostileHeaders.emptyTensors(SafeTensors.MAX_TENSORS + 1),
                        Rule.TOO_MANY_TENSORS, null),
                row("one metadata key too many", HostileHeaders.metadataKeys(SafeTensors.MAX_METADATA_ENTRIES + 1),
                        Rule.TOO_MANY_METADATA_ENTRIES, "__metadata__"),
                row("one dimension too many", HostileHeaders.rank(SafeTensors.MAX_RANK + 1), Rule.TOO_MANY_DIMENSIONS,
                        "t"),
                row("a million dimensions", HostileHeaders.rank(1_000_000), Rule.TOO_MANY_DIMENSIONS, "t"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachViolationIsNamed(String label, byte[] file, Rule rule, String tensor) {
        SafeTensorsFormatException ex = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.decode(ByteBuffer.wrap(file))));
        assertMessage(ex, "<buffer>", rule, tensor);
    }

    static void assertMessage(SafeTensorsFormatException ex, String source, Rule rule, String tensor) {
        String m = ex.getMessage();
        assertEquals(rule, ex.rule(), m);
        assertEquals(tensor, ex.tensor(), m);
        assertTrue(m.startsWith(source + ": "), m);
        assertTrue(m.contains(rule.sentence()), m);
        if (tensor != null) {
            assertTrue(m.contains(tensor.equals(SafeTensors.METADATA_KEY) ? "__metadata__: " : "tensor '" + tensor + "'"),
                    m);
        }
    }

    @Test
    void everyRuleHasARow() {
        Set<Rule> covered = cases().map(a -> (Rule) a.get()[2]).collect(Collectors.toCollection(() ->
                EnumSet.noneOf(Rule.class)));
        assertEquals(EnumSet.allOf(Rule.class), covered);
    }

    @Test
    void messagesFromAFileNameTheFile(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, f("{" + e("w", "\"I32\"", "[2]", "[0,8]") + "}", 8));
        SafeTensorsFormatException ex = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        assertMessage(ex, p.toString(), Rule.UNSUPPORTED_DTYPE, "w");
        assertTrue(ex.getMessage().contains("I32"), ex.getMessage());
        Files.write(p, new byte[3]);
        assertMessage(assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p)), p.toString(),
                Rule.FILE_TOO_SHORT, null);
        IOException directory = assertThrows(NotRegularFileException.class, () -> SafeTensors.read(dir));
        assertEquals(dir + ": is a directory, not a safetensors file", directory.getMessage());
    }

    @Test
    void hugeNamesAreCutInMessages() {
        String name = "n".repeat(1_000_000);
        byte[] file = f("{" + e(name, "\"F32\"", "[1]", "[0,8]") + "}", 8);
        SafeTensorsFormatException ex = assertThrows(SafeTensorsFormatException.class,
                () -> SafeTensors.decode(ByteBuffer.wrap(file)));
        assertEquals(name, ex.tensor());
        assertTrue(ex.getMessage().length() < 1000, () -> ex.getMessage().length() + " characters");
        assertTrue(ex.getMessage().contains("(1000000 characters)"));
    }

    @Test
    void detailsSayWhatWasFound() {
        List<String> messages = Stream.of(
                        header(-1L, "{}"),
                        f("{" + A + "," + e("b", "\"F32\"", "[1]", "[8,12]") + "}", 12),
                        f("{" + e("b", "\"F32\"", "[2]", "[4,12]") + "," + e("a", "\"F32\"", "[2]", "[0,8]") + "}", 12),
                        f("{" + e("a", "\"F32\"", "[3]", "[0,8]") + "}", 8),
                        f("{" + A + "}", 5))
                .map(b -> assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.decode(ByteBuffer.wrap(b)))
                        .getMessage())
                .collect(Collectors.toList());
        assertTrue(messages.get(0).contains("18446744073709551615"), messages.get(0));
        assertTrue(messages.get(1).contains("bytes [4, 8) between it and tensor 'a' belong to no tensor"),
                messages.get(1));
        assertTrue(messages.get(2).contains("it overlaps tensor 'a' at [0, 8]"), messages.get(2));
        assertTrue(messages.get(3).contains("need 12 bytes, data_offsets [0, 8] hold 8"), messages.get(3));
        assertTrue(messages.get(4).contains("the tensors' data is 4 bytes, but the file of 67 bytes holds 8 + 54 + 5"),
                messages.get(4));
    }

    /**
     * A valid file of 8 GiB (sparse on disk) with one F32 tensor of 2^31 - 1 elements: the file is
     * mapped past 2 GiB, validated, and refused because no Java array holds the tensor.
     */
    @Test
    void aTensorBeyondAJavaArrayIsRefusedBeforeAllocating(@TempDir Path dir) throws IOException {
        long elements = Integer.MAX_VALUE;
        String json = "{" + e("big", "\"F32\"", "[" + elements + "]", "[0," + 4 * elements + "]") + "}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.write(RawFiles.file(header.length, header, new byte[0]));
            raf.setLength(8 + header.length + 4 * elements);
        }
        SafeTensorsFormatException ex = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(p));
        assertMessage(ex, p.toString(), Rule.TOO_LARGE_FOR_LANES, "big");
        assertTrue(ex.getMessage().contains("2147483647 elements"), ex.getMessage());
    }
}
