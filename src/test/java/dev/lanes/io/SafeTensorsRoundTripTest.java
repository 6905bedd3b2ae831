package dev.lanes.io;

import static dev.lanes.io.TensorAssertions.assertSameTensor;
import static dev.lanes.io.TensorAssertions.assertSameTensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors and metadata written and read back unchanged, and the promises around the file itself. */
class SafeTensorsRoundTripTest {

    @TempDir
    Path dir;

    static Map<String, Tensor> assorted() {
        Generator gen = new Generator(7);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layer.weight", Tensor.randn(gen, DType.F32, 3, 5));
        m.put("layer.bias", Tensor.randn(gen, DType.F32, 5));
        m.put("double", Tensor.randn(gen, DType.F64, 2, 2, 3));
        m.put("scalar32", Tensor.scalar(DType.F32, -1.25));
        m.put("scalar64", Tensor.scalar(DType.F64, Math.PI));
        m.put("empty", Tensor.zeros(DType.F32, 0, 4));
        m.put("empty64", Tensor.zeros(DType.F64, 3, 0));
        m.put("ünïcødé/名前 🙂 \"q\" \\ \n\t\u0001", Tensor.of(new float[] {Float.NaN, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, -0f}, 2, 2));
        return m;
    }

    static Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("ключ \"quoted\"", "value\nwith\u0000controls and 🙂");
        m.put("", "");
        return m;
    }

    @Test
    void tensorsAndMetadataSurviveAFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, assorted(), metadata());
        SafeTensorsFile read = SafeTensors.readFile(file);
        // F64 first, then F32, each group in the map's order.
        Map<String, Tensor> expected = new LinkedHashMap<>();
        assorted().forEach((k, v) -> {
            if (v.dtype() == DType.F64) {
                expected.put(k, v);
            }
        });
        assorted().forEach((k, v) -> {
            if (v.dtype() == DType.F32) {
                expected.put(k, v);
            }
        });
        assertSameTensors(expected, read.tensors());
        assertEquals(List.copyOf(metadata().entrySet()), List.copyOf(read.metadata().entrySet()));
        assertSameTensors(read.tensors(), SafeTensors.read(file));
    }

    @Test
    void encodeGivesTheBytesOfTheFile() throws IOException {
        Path file = dir.resolve("a.safetensors");
        SafeTensors.write(file, assorted(), metadata());
        byte[] bytes = SafeTensors.encode(assorted(), metadata());
        assertArrayEquals(Files.readAllBytes(file), bytes);
        assertSameTensors(SafeTensors.readFile(file).tensors(), SafeTensors.decode(ByteBuffer.wrap(bytes)).tensors());
    }

    /**
     * The header {@code {"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}}
     * is 26 + 4 + 15 + 12 + 20 + 2 = 79 bytes ("{" and {@code "__metadata__":{"k":"v"},} 26,
     * {@code "a":} 4, {@code {"dtype":"F32",} 15, {@code "shape":[2],} 12,
     * {@code "data_offsets":[0,8]} 20, "}}" 2), padded with one space to 80 = 0x50.
     */
    @Test
    void exactBytesOfASmallFile() {
        byte[] json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} "
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(80, json.length);
        byte[] expected = new byte[8 + 80 + 8];
        expected[0] = 0x50;
        System.arraycopy(json, 0, expected, 8, 80);
        // 1.0f = 0x3F800000 and -2.0f = 0xC0000000, little-endian.
        byte[] data = {0x00, 0x00, (byte) 0x80, 0x3F, 0x00, 0x00, 0x00, (byte) 0xC0};
        System.arraycopy(data, 0, expected, 88, 8);
        byte[] actual = SafeTensors.encode(Map.of("a", Tensor.of(new float[] {1f, -2f}, 2)), Map.of("k", "v"));
        assertArrayEquals(expected, actual);
    }

    @Test
    void f64DataComesFirstAndEveryTensorIsAligned() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("odd", Tensor.of(new float[] {1, 2, 3}, 3));
        m.put("wide", Tensor.of(new double[] {4, 5}, 2));
        m.put("next", Tensor.of(new float[] {6}, 1));
        byte[] bytes = SafeTensors.encode(m, null);
        int n = (int) ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, n, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("{\"wide\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"odd\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,28]},"
                + "\"next\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[28,32]}}", header.stripTrailing());
        assertEquals(0, n % 8, "header length is a multiple of 8");
        assertEquals(8 + n + 32, bytes.length);
    }

    @Test
    void viewsAreWrittenWithTheirOwnShape() throws IOException {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor view = base.view(3, 2);
        Tensor back = SafeTensors.decode(ByteBuffer.wrap(SafeTensors.encode(Map.of("v", view), null)))
                .tensors().get("v");
        assertSameTensor("v", view, back);
        assertNotSame(base.f32(), back.f32());
    }

    @Test
    void readingNeverChangesTheFile() throws Exception {
        Path file = dir.resolve("m.safetensors");
        SafeTensors.write(file, assorted(), metadata());
        Path broken = dir.resolve("broken.safetensors");
        byte[] good = Files.readAllBytes(file);
        Files.write(broken, java.util.Arrays.copyOf(good, good.length - 1));
        for (Path p : new Path[] {file, broken}) {
            byte[] before = sha256(p);
            var modified = Files.getLastModifiedTime(p);
            try {
                SafeTensors.readFile(p);
            } catch (SafeTensorsFormatException expectedForBroken) {
                assertEquals(broken, p);
            }
            assertArrayEquals(before, sha256(p), p + " changed");
            assertEquals(modified, Files.getLastModifiedTime(p));
        }
    }

    private static byte[] sha256(Path p) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
    }

    @Test
    void writeReplacesTheFileAndLeavesNothingElse() throws IOException {
        Path file = dir.resolve("state.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.of(new float[] {1}, 1)));
        SafeTensors.write(file, Map.of("y", Tensor.of(new double[] {2, 3}, 2)), Map.of("v", "2"));
        SafeTensorsFile read = SafeTensors.readFile(file);
        assertEquals(List.of("y"), List.copyOf(read.tensors().keySet()));
        assertEquals(Map.of("v", "2"), read.metadata());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("state.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.of(new float[] {1}, 1)));
        byte[] old = Files.readAllBytes(file);
        IOException failure = assertThrows(IOException.class, () -> AtomicFiles.write(file, channel -> {
            channel.write(ByteBuffer.wrap(new byte[1000]));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", failure.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file,
                Map.of("", Tensor.of(new float[] {1}, 1))));
        assertArrayEquals(old, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        assertThrows(IOException.class, () -> SafeTensors.write(dir.resolve("no/such/dir/f.safetensors"),
                Map.of("x", Tensor.of(new float[] {1}, 1))));
    }

    @Test
    void namesThatCannotBeWrittenAreRefusedByName() {
        Tensor t = Tensor.of(new float[] {1}, 1);
        for (String bad : new String[] {"", SafeTensors.METADATA_KEY, "lone\uD800surrogate"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.encode(Map.of(bad, t), null));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.encode(Map.of("t", t), Map.of("k", "\uDC00")));
        assertTrue(e.getMessage().contains("metadata value of 'k'"), e.getMessage());
    }

    @Test
    void emptyFilesAndAbsentMetadata() throws IOException {
        byte[] bytes = SafeTensors.encode(Map.of(), Map.of());
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}, bytes);
        SafeTensorsFile read = SafeTensors.decode(ByteBuffer.wrap(bytes));
        assertTrue(read.tensors().isEmpty() && read.metadata().isEmpty());
        byte[] nullMetadata = RawFiles.file("{\"__metadata__\":null}", 0);
        assertTrue(SafeTensors.decode(ByteBuffer.wrap(nullMetadata)).metadata().isEmpty());
    }
}
