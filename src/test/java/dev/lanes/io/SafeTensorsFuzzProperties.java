package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Seeded fuzzing of the reader. Valid files in every spelling decode to their values; mutated
 * files (cut, bits flipped, lengths and offsets changed, wrong dtypes and shapes, repeated keys,
 * invalid UTF-8, deep nesting, garbage, many dimensions, many empty tensors, many metadata keys)
 * end either in a result that writes and reads back the same, or in
 * {@link SafeTensorsFormatException} — never another exception or an {@link Error}, within a time
 * bound, and never allocating much more than the file's size. The same bytes read from a file,
 * into the heap and mapped, give the same outcome as from a buffer.
 */
class SafeTensorsFuzzProperties {

    /** How a valid file is broken. */
    enum Mutation {
        TRUNCATE, FLIP_BITS, RANDOM_BYTES, HEADER_LENGTH, HUGE_HEADER_LENGTH, OFFSETS, DTYPE, SHAPE, DUPLICATE,
        NON_UTF8, DEEP_NESTING, TRAILING_GARBAGE, JSON_SPLICE, RANK, EMPTY_TENSORS, METADATA_KEYS
    }

    /** The time one case may take, reads from a buffer and from a file together. */
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("safetensors-fuzz");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Property(tries = 150, seed = "20261210")
    void validFilesDecodeToTheirValues(@ForAll long seed) throws SafeTensorsFormatException {
        FuzzFiles model = new FuzzFiles(seed);
        byte[] bytes = model.bytes();
        SafeTensorsFile file = assertTimeoutPreemptively(BOUND, () -> SafeTensors.decode(ByteBuffer.wrap(bytes)));
        assertEquals(model.entries.stream().map(e -> e.name).toList(), file.tensors().keySet().stream().toList());
        assertEquals(model.metadata, file.metadata());
        for (FuzzFiles.Entry e : model.entries) {
            Tensor t = file.tensors().get(e.name);
            assertEquals(e.dtype.equals("F64") ? DType.F64 : DType.F32, t.dtype(), e.name);
            assertEquals(Arrays.toString(e.shape), Arrays.toString(Arrays.stream(t.dims()).asLongStream().toArray()));
            double[] want = model.expected(e);
            double[] got = t.toDoubleArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(Double.doubleToLongBits(want[i]), Double.doubleToLongBits(got[i]), e.name + "[" + i + "]");
            }
        }
        revalidates(file);
    }

    @Property(tries = 400, seed = "20261211")
    void mutatedFilesFailCleanlyOrRevalidate(@ForAll Mutation mutation, @ForAll long seed) throws IOException {
        byte[] bytes = mutate(mutation, new FuzzFiles(seed), new Random(seed ^ 0x5DEECE66DL));
        long limit = 32L * bytes.length + (4 << 20);
        Path file = dir.resolve("fuzz.safetensors");
        Files.write(file, bytes);
        assertTimeoutPreemptively(BOUND, () -> {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            Object outcome = outcome(mutation, () -> SafeTensors.decode(ByteBuffer.wrap(bytes)));
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated <= limit, mutation + ": " + allocated + " bytes allocated for a file of "
                    + bytes.length);
            for (long heapLimit : new long[] {SafeTensors.MAX_HEAP_READ_BYTES, 0}) {
                Object fromFile = outcome(mutation, () -> SafeTensors.readFile(file, heapLimit, WatchedFile.Hook.NONE));
                if (outcome instanceof SafeTensorsFile expected) {
                    SafeTensorsFile got = assertInstanceOf(SafeTensorsFile.class, fromFile, mutation + " from a file");
                    assertEquals(expected.metadata(), got.metadata());
                    TensorAssertions.assertSameTensors(expected.tensors(), got.tensors());
                } else {
                    assertEquals(outcome, fromFile, mutation + " from a file (heap limit " + heapLimit + ")");
                }
            }
            if (outcome instanceof SafeTensorsFile f) {
                revalidates(f);
            }
        });
    }

    interface Read {
        SafeTensorsFile read() throws IOException;
    }

    /**
     * The file read, or the rule of the {@link SafeTensorsFormatException} it failed with; any
     * other exception or error fails the property.
     */
    private static Object outcome(Mutation mutation, Read read) {
        try {
            return read.read();
        } catch (SafeTensorsFormatException e) {
            assertNotNull(e.rule());
            assertTrue(e.getMessage().contains(e.rule().sentence()), e.getMessage());
            return e.rule();
        } catch (Throwable t) {
            return fail(mutation + ": expected a result or SafeTensorsFormatException, got " + t, t);
        }
    }

    /** The result, written again, reads back the same. */
    private static void revalidates(SafeTensorsFile file) throws SafeTensorsFormatException {
        byte[] again = SafeTensors.encode(file.tensors(), file.metadata());
        SafeTensorsFile back = SafeTensors.decode(ByteBuffer.wrap(again));
        assertEquals(file.metadata(), back.metadata());
        assertEquals(file.tensors().keySet(), back.tensors().keySet());
        file.tensors().forEach((k, v) -> TensorAssertions.assertSameTensor(k, v, back.tensors().get(k)));
    }

    static byte[] mutate(Mutation mutation, FuzzFiles model, Random r) {
        switch (mutation) {
            case OFFSETS -> {
                FuzzFiles.Entry e = pick(model, r);
                if (e == null) {
                    model.extraMembers.add("\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}");
                } else {
                    long[][] choices = {{e.begin + delta(r), e.end}, {e.begin, e.end + delta(r)},
                            {e.begin + 4, e.end + 4}, {e.end, e.begin}, {0, e.end - e.begin}, {e.begin, Long.MAX_VALUE}};
                    long[] o = choices[r.nextInt(choices.length)];
                    e.offsetsJson = r.nextInt(8) == 0 ? "[" + e.begin + ",18446744073709551615]"
                            : "[" + o[0] + "," + o[1] + "]";
                }
            }
            case DTYPE -> {
                FuzzFiles.Entry e = pick(model, r);
                String[] dtypes = {"\"I64\"", "\"I32\"", "\"U8\"", "\"BOOL\"", "\"F4\"", "\"F8_E4M3\"", "\"U16\"",
                        "\"F32\"", "\"F64\"", "\"F16\"", "\"BF16\"", "\"F31\"", "\"f32\"", "\"\"", "32", "null", "[]",
                        "{}", "true", "\"F32\\u0000\""};
                if (e != null) {
                    e.dtypeJson = dtypes[r.nextInt(dtypes.length)];
                }
            }
            case SHAPE -> {
                FuzzFiles.Entry e = pick(model, r);
                String[] shapes = {"[]", "[0]", "[1]", "[-1]", "[1.5]", "[2e0]", "[\"2\"]", "[null]", "[[2]]",
                        "[9223372036854775807]", "[9223372036854775808]", "[4294967296,4294967296]",
                        "[3037000500,3037000500]", "[2,2,2,2,2,2,2,2]", "{}", "\"[1]\"", "[1,]", "[01]"};
                if (e != null) {
                    e.shapeJson = r.nextBoolean() ? shapes[r.nextInt(shapes.length)]
                            : Arrays.toString(grow(e.shape, r)).replace(" ", "");
                }
            }
            case DUPLICATE -> {
                FuzzFiles.Entry e = pick(model, r);
                int kind = r.nextInt(3);
                if (e != null && kind == 0) {
                    model.extraMembers.add(model.string(e.name) + ":{\"dtype\":" + e.dtypeJson + ",\"shape\":"
                            + e.shapeJson + ",\"data_offsets\":" + e.offsetsJson + "}");
                } else if (e != null && kind == 1) {
                    String[] keys = {",\"dtype\":" + e.dtypeJson, ",\"shape\":" + e.shapeJson,
                            ",\"data_offsets\":" + e.offsetsJson};
                    e.extra = keys[r.nextInt(3)];
                } else {
                    if (r.nextBoolean()) {
                        model.extraMembers.add("\"__metadata__\":{}");
                    }
                    model.metadataJson = "{\"k\":\"1\",\"k\":\"2\"}";
                }
            }
            case DEEP_NESTING -> {
                int depth = 1 + r.nextInt(200_000);
                String open = r.nextBoolean() ? "[".repeat(depth) : "{\"a\":".repeat(depth);
                String deep = open + (r.nextBoolean() ? "" : "]".repeat(depth));
                FuzzFiles.Entry e = pick(model, r);
                switch (r.nextInt(5)) {
                    case 0 -> model.metadataJson = "{\"k\":" + deep + "}";
                    case 1 -> model.extraMembers.add("\"n\":" + deep);
                    case 2 -> {
                        if (e != null) {
                            e.shapeJson = "[" + deep + "]";
                        }
                    }
                    case 3 -> {
                        if (e != null) {
                            e.extra = ",\"x\":" + deep;
                        }
                    }
                    default -> model.metadataJson = deep;
                }
            }
            case RANK -> {
                // The same element count in more dimensions: valid up to the limit.
                FuzzFiles.Entry e = pick(model, r);
                int[] ranks = {SafeTensors.MAX_RANK - 1, SafeTensors.MAX_RANK, SafeTensors.MAX_RANK + 1,
                        SafeTensors.MAX_RANK + 1 + r.nextInt(100_000)};
                int rank = ranks[r.nextInt(ranks.length)];
                long[] sizes = e == null ? new long[] {0} : e.shape;
                StringBuilder shape = new StringBuilder("[");
                for (int i = 0; i < rank; i++) {
                    shape.append(i == 0 ? "" : ",").append(i < sizes.length ? sizes[i] : 1);
                }
                if (e != null) {
                    e.shapeJson = shape.append(']').toString();
                } else {
                    model.extraMembers.add("\"r\":{\"dtype\":\"F32\",\"shape\":" + shape.append(']')
                            + ",\"data_offsets\":[0,0]}");
                }
            }
            case EMPTY_TENSORS -> {
                int n = 1 + r.nextInt(5_000);
                long at = r.nextBoolean() ? 0 : model.data.length;
                for (int i = 0; i < n; i++) {
                    model.extraMembers.add("\"empty" + i + "\":{\"dtype\":\"" + FuzzFiles.READABLE[i % 4]
                            + "\",\"shape\":[" + (i % 3) + ",0],\"data_offsets\":[" + at + "," + at + "]}");
                }
            }
            case METADATA_KEYS -> {
                int n = 1 + r.nextInt(20_000);
                StringBuilder m = new StringBuilder("{");
                for (int i = 0; i < n; i++) {
                    m.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append(i % 7 == 0 ? "v" : "")
                            .append('"');
                }
                model.metadataJson = m.append('}').toString();
            }
            default -> {
            }
        }
        byte[] bytes = model.bytes();
        int headerEnd = 8 + (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        switch (mutation) {
            case TRUNCATE -> bytes = Arrays.copyOf(bytes, r.nextInt(bytes.length));
            case FLIP_BITS -> {
                int flips = 1 + r.nextInt(8);
                boolean dataOnly = bytes.length > headerEnd && r.nextInt(3) == 0;
                for (int i = 0; i < flips; i++) {
                    int at = dataOnly ? headerEnd + r.nextInt(bytes.length - headerEnd)
                            : r.nextBoolean() ? r.nextInt(headerEnd) : r.nextInt(bytes.length);
                    bytes[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case RANDOM_BYTES -> {
                int n = 1 + r.nextInt(8);
                for (int i = 0; i < n; i++) {
                    bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(256);
                }
            }
            case HEADER_LENGTH -> setLength(bytes, headerEnd - 8 + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(16)));
            case HUGE_HEADER_LENGTH -> {
                long[] huge = {SafeTensors.MAX_HEADER_BYTES, SafeTensors.MAX_HEADER_BYTES + 1, 1L << 32, Long.MIN_VALUE,
                        -1L, Long.MAX_VALUE, r.nextLong(), bytes.length, 99_999_999L};
                setLength(bytes, huge[r.nextInt(huge.length)]);
            }
            case NON_UTF8 -> {
                byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
                        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
                bytes = insertInHeader(bytes, headerEnd, 9 + r.nextInt(headerEnd - 9), bad[r.nextInt(bad.length)]);
            }
            case TRAILING_GARBAGE -> {
                byte[] junk = new byte[1 + r.nextInt(16)];
                r.nextBytes(junk);
                bytes = r.nextBoolean() ? RawFiles.concat(bytes, junk)
                        : insertInHeader(bytes, headerEnd, headerEnd, "} x".getBytes(StandardCharsets.UTF_8));
            }
            case JSON_SPLICE -> {
                String[] tokens = {",", "}", "]", "{", "[", "\"", ":", "null", "1e999", "-", "\\", "\u0000", "/*c*/",
                        "\"\\ud800\"", "\"__metadata__\":{}", "\"a\":{}"};
                byte[] token = tokens[r.nextInt(tokens.length)].getBytes(StandardCharsets.UTF_8);
                bytes = insertInHeader(bytes, headerEnd, 8 + r.nextInt(headerEnd - 7), token);
            }
            default -> {
            }
        }
        return bytes;
    }

    private static FuzzFiles.Entry pick(FuzzFiles model, Random r) {
        return model.entries.isEmpty() ? null : model.entries.get(r.nextInt(model.entries.size()));
    }

    private static long delta(Random r) {
        long d = 1 + r.nextInt(8);
        return r.nextBoolean() ? d : -d;
    }

    private static long[] grow(long[] shape, Random r) {
        long[] s = Arrays.copyOf(shape, shape.length + (r.nextBoolean() ? 1 : 0));
        if (s.length > 0) {
            s[r.nextInt(s.length)] = r.nextInt(6);
        }
        return s;
    }

    private static void setLength(byte[] file, long n) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
    }

    /** {@code insert} placed at {@code at} within the header (8 <= at <= headerEnd), the length field updated. */
    private static byte[] insertInHeader(byte[] file, int headerEnd, int at, byte[] insert) {
        byte[] out = new byte[file.length + insert.length];
        System.arraycopy(file, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(file, at, out, at + insert.length, file.length - at);
        setLength(out, headerEnd - 8 + insert.length);
        return out;
    }
}
