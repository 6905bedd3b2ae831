package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files: round trips of every type, raw and gzip, and one test per validation error. */
class IdxTest {

    @TempDir
    Path dir;

    static IdxArray[] samples() {
        byte[] signed = {-128, -1, 0, 1, 127, 5};
        byte[] shorts = {(byte) 0x80, 0, (byte) 0xFF, (byte) 0xFF, 0, 1, 0x7F, (byte) 0xFF};
        return new IdxArray[] {
            IdxArray.ofUnsignedBytes(new int[] {0, 1, 127, 128, 254, 255}, 2, 3),
            new IdxArray(IdxType.BYTE, new int[] {6}, signed),
            new IdxArray(IdxType.SHORT, new int[] {2, 2}, shorts),
            IdxArray.ofInts(new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 42}, 3, 1, 2),
            IdxArray.ofFloats(new float[] {-0f, Float.MIN_VALUE, 1.5f, Float.NaN, Float.NEGATIVE_INFINITY}, 5),
            IdxArray.ofDoubles(new double[] {Math.PI, -Double.MAX_VALUE, 1e-300, 0.1}, 1, 2, 1, 2),
            IdxArray.ofUnsignedBytes(new int[0], 0, 28, 28),
        };
    }

    @Test
    void roundTripsEveryTypeRawAndGzip() throws IOException {
        for (IdxArray a : samples()) {
            for (boolean gzip : new boolean[] {false, true}) {
                Path file = dir.resolve(a.type() + (gzip ? ".idx.gz" : ".idx"));
                IdxWriter.write(file, a, gzip);
                IdxArray back = Idx.read(file);
                assertEquals(a, back, file.toString());
                assertArrayEquals(a.dims(), back.dims());
                byte[] bytes = Files.readAllBytes(file);
                assertEquals(gzip, bytes[0] == 0x1f && bytes[1] == (byte) 0x8b);
                assertEquals(a, Idx.read(new ByteArrayInputStream(bytes), "stream"));
            }
        }
    }

    @Test
    void valuesReadBackAsTheFileHoldsThem() {
        IdxArray[] s = samples();
        assertArrayEquals(new int[] {0, 1, 127, 128, 254, 255}, s[0].toIntArray());
        assertArrayEquals(new float[] {0, 1 / 255f, 127 / 255f, 128 / 255f, 254 / 255f, 1}, s[0].toFloatArray(255f));
        assertArrayEquals(new int[] {-128, -1, 0, 1, 127, 5}, s[1].toIntArray());
        assertArrayEquals(new int[] {-32768, -1, 1, 32767}, s[2].toIntArray());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 42}, s[3].toIntArray());
        assertEquals(Float.MIN_VALUE, s[4].doubleAt(1));
        assertTrue(Double.isNaN(s[4].doubleAt(3)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(s[4].doubleAt(0)));
        assertEquals(-Double.MAX_VALUE, s[5].doubleAt(1));
        assertArrayEquals(new float[] {(float) Math.PI, Float.NEGATIVE_INFINITY, 0f, 0.1f}, s[5].toFloatArray(1f));
        assertThrows(IllegalStateException.class, s[4]::toIntArray);
        assertThrows(IllegalStateException.class, () -> s[5].intAt(0));
        assertThrows(IndexOutOfBoundsException.class, () -> s[0].intAt(6));
    }

    @Test
    void detectsGzipByItsMagicNotByName() throws IOException {
        IdxArray a = samples()[0];
        Path gzipWithoutSuffix = dir.resolve("images-idx3-ubyte");
        Files.write(gzipWithoutSuffix, IdxFiles.gzip(IdxFiles.raw(a)));
        Path rawWithSuffix = dir.resolve("images-idx3-ubyte.gz");
        Files.write(rawWithSuffix, IdxFiles.raw(a));
        assertEquals(a, Idx.read(gzipWithoutSuffix));
        assertEquals(a, Idx.read(rawWithSuffix));
    }

    /** Writes {@code bytes} raw and gzipped and expects both to fail with the same problem. */
    private void rejects(String problem, byte[] bytes) throws IOException {
        rejectsFile(problem, bytes, false);
        rejectsFile(problem, bytes, true);
    }

    private void rejectsFile(String problem, byte[] bytes, boolean gzip) throws IOException {
        Path file = dir.resolve(gzip ? "bad.gz" : "bad");
        Files.write(file, gzip ? IdxFiles.gzip(bytes) : bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
        assertEquals(file.toString(), e.source());
        assertEquals(file + ": " + problem, e.getMessage());
        IdxFormatException s = assertThrows(IdxFormatException.class,
                () -> Idx.read(new ByteArrayInputStream(Files.readAllBytes(file)), "resource.idx"));
        assertEquals("resource.idx", s.source());
        if (!problem.startsWith("truncated: ") && !problem.startsWith("trailing bytes: ")) {
            assertEquals(problem, s.problem(), "same message from a stream");
        }
    }

    @Test
    void rejectsABadMagicNumber() throws IOException {
        rejects("bad magic number 01 00 08 01: an IDX file starts with two zero bytes",
                new byte[] {1, 0, 8, 1, 0, 0, 0, 0});
        rejects("bad magic number 00 07 08 01: an IDX file starts with two zero bytes",
                new byte[] {0, 7, 8, 1, 0, 0, 0, 0});
    }

    @Test
    void rejectsAnUnknownTypeCode() throws IOException {
        rejects("unknown type code 0x0a (known: 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float,"
                + " 0x0e double)", IdxFiles.header(0x0A, new int[] {1}, 1));
    }

    @Test
    void rejectsNoDimensionsAndNegativeSizes() throws IOException {
        rejects("the header declares 0 dimensions", IdxFiles.header(0x08, new int[0], 1));
        rejects("dimension 1 has a negative size, -3", IdxFiles.header(0x08, new int[] {2, -3}, 0));
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        rejects("truncated: 3 bytes, too short for the 4-byte magic number", new byte[] {0, 0, 8});
        rejects("truncated: 0 bytes, too short for the 4-byte magic number", new byte[0]);
        rejects("truncated header: 3 dimensions need 12 bytes of sizes, found 6",
                Arrays.copyOf(IdxFiles.header(0x08, new int[] {1, 2, 3}, 0), 10));
        byte[] whole = IdxFiles.raw(IdxArray.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3));
        byte[] cut = Arrays.copyOf(whole, whole.length - 5);
        rejectsFile("truncated: dimensions [2, 3] of INT need 24 bytes of data, found 19", cut, false);
        rejectsFile("truncated: dimensions [2, 3] of INT need 24 bytes of data, found 19", cut, true);
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] whole = IdxFiles.raw(IdxArray.ofUnsignedBytes(new int[] {1, 2, 3}, 3));
        byte[] longer = Arrays.copyOf(whole, whole.length + 2);
        rejectsFile("trailing bytes: 2 bytes after the 3 bytes of data of dimensions [3] of UBYTE", longer, false);
        rejectsFile("trailing bytes: extra bytes after the 3 bytes of data of dimensions [3] of UBYTE", longer, true);
    }

    @Test
    void rejectsSizesNoArrayHolds() throws IOException {
        rejects("size overflow: dimensions [65536, 65536] of UBYTE need more than 2147483639 bytes, the most an"
                + " array holds", IdxFiles.header(0x08, new int[] {65536, 65536}, 0));
        rejects("size overflow: dimensions [300000000, 2] of DOUBLE need more than 2147483639 bytes, the most an"
                + " array holds", IdxFiles.header(0x0E, new int[] {300_000_000, 2}, 0));
    }

    @Test
    void aHeaderPromisingHugeDataAllocatesLittle() throws IOException {
        byte[] header = IdxFiles.header(0x08, new int[] {1_000_000_000}, 100);
        Path raw = dir.resolve("huge");
        Files.write(raw, header);
        Path gz = dir.resolve("huge.gz");
        Files.write(gz, IdxFiles.gzip(header));
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        for (Path file : new Path[] {raw, gz}) {
            long before = threads.getThreadAllocatedBytes(id);
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
            long allocated = threads.getThreadAllocatedBytes(id) - before;
            assertTrue(e.problem().startsWith("truncated: dimensions [1000000000] of UBYTE need 1000000000 bytes"),
                    e.getMessage());
            assertTrue(allocated < 16 << 20, file + ": allocated " + allocated + " bytes");
        }
    }

    @Test
    void rejectsADamagedGzipStream() throws IOException {
        byte[] gz = IdxFiles.gzip(IdxFiles.raw(IdxArray.ofInts(new int[] {1, 2, 3, 4}, 4)));
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 6] ^= 0x55;
        Path file = dir.resolve("crc.gz");
        Files.write(file, badCrc);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
        assertTrue(e.problem().startsWith("damaged gzip stream ("), e.getMessage());
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length - 12));
        e = assertThrows(IdxFormatException.class, () -> Idx.read(cut));
        assertTrue(e.problem().startsWith("truncated"), e.getMessage());
    }

    @Test
    void arraysCheckTheirArguments() {
        assertThrows(IllegalArgumentException.class, () -> new IdxArray(IdxType.INT, new int[] {2}, new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> new IdxArray(IdxType.UBYTE, new int[0], new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> IdxArray.ofUnsignedBytes(new int[] {256}, 1));
        assertThrows(IllegalArgumentException.class, () -> IdxArray.ofInts(new int[] {1, 2}, 3));
    }
}
