package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDX files that try to make the reader use too much memory or accept too much: gzip streams
 * that inflate far beyond what the header declares, bytes after the data or after the gzip
 * stream, damaged gzip headers and trailers, data over the limit, paths that are not regular
 * files, and files changed while they are read.
 */
class IdxFailSafeTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    /** The raw bytes of a 3-element unsigned-byte file. */
    private static final byte[] SMALL = IdxFiles.raw(IdxArray.ofUnsignedBytes(new int[] {1, 2, 3}, 3));

    /** One gzip member of {@code data}, with the given flags and the optional header fields they need. */
    static byte[] member(byte[] data, int flags, byte[] optionalFields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 0, 0, 0, 0, 0, 3});
        out.writeBytes(optionalFields);
        if ((flags & 0x02) != 0) {
            CRC32 c = new CRC32();
            c.update(out.toByteArray());
            out.write((int) c.getValue() & 0xFF);
            out.write((int) (c.getValue() >>> 8) & 0xFF);
        }
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        CRC32 crc = new CRC32();
        crc.update(data);
        le32(out, crc.getValue());
        le32(out, data.length);
        return out.toByteArray();
    }

    private static void le32(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code bytes} as a file and as a stream must both fail with exactly {@code problem}. */
    private void rejects(String problem, byte[] bytes) throws IOException {
        Path file = dir.resolve("bad.gz");
        Files.write(file, bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
        assertEquals(file + ": " + problem, e.getMessage());
        IdxFormatException s = assertThrows(IdxFormatException.class,
                () -> Idx.read(new ByteArrayInputStream(bytes), "stream"));
        assertEquals("stream: " + problem, s.getMessage());
    }

    @Test
    void bytesAfterTheGzipStreamAreRefused() throws IOException {
        byte[] gz = IdxFiles.gzip(SMALL);
        rejects("trailing bytes: the gzip stream ends after 1 member, then byte 0x00 does not start another member",
                concat(gz, new byte[1]));
        rejects("trailing bytes: the gzip stream ends after 1 member, then byte 0x6a does not start another member",
                concat(gz, "junk".getBytes()));
        rejects("trailing bytes: the gzip stream ends after 2 members, then byte 0x1f does not start another member",
                concat(gz, IdxFiles.gzip(new byte[0]), new byte[] {0x1f}));
        // A second member that looks right is read as one, and must be whole.
        rejects("truncated gzip stream (the input ends inside the header of member 2)",
                concat(gz, new byte[] {0x1f, (byte) 0x8b}));
    }

    @Test
    void bytesAfterTheDataAreRefusedInEveryMember() throws IOException {
        String extra = "trailing bytes: extra bytes after the 3 bytes of data of dimensions [3] of UBYTE";
        rejects(extra, IdxFiles.gzip(concat(SMALL, new byte[1])));
        rejects(extra, concat(IdxFiles.gzip(SMALL), IdxFiles.gzip(new byte[] {9})));
        rejects(extra, concat(IdxFiles.gzip(SMALL), IdxFiles.gzip(new byte[0]), IdxFiles.gzip(new byte[5])));
    }

    @Test
    void severalMembersAndOptionalHeaderFieldsRead() throws IOException {
        IdxArray a = IdxArray.ofInts(new int[] {1, -2, 3, -4, 5, -6}, 2, 3);
        byte[] raw = IdxFiles.raw(a);
        byte[] split = concat(member(Arrays.copyOfRange(raw, 0, 5), 0, new byte[0]),
                member(new byte[0], 0, new byte[0]),
                member(Arrays.copyOfRange(raw, 5, 20), 0x08, "name.idx\0".getBytes()),
                member(Arrays.copyOfRange(raw, 20, raw.length), 0x02 | 0x04 | 0x10,
                        concat(new byte[] {3, 0, 'a', 'b', 'c'}, "comment\0".getBytes())));
        Path file = dir.resolve("members.gz");
        Files.write(file, split);
        assertEquals(a, Idx.read(file));
        assertEquals(a, Idx.read(new ByteArrayInputStream(split), "stream"));
    }

    @Test
    void damagedGzipHeadersAndTrailersAreRefused() throws IOException {
        byte[] good = member(SMALL, 0, new byte[0]);
        byte[] reserved = good.clone();
        reserved[3] = (byte) 0x20;
        rejects("damaged gzip stream (member 1 sets reserved flag bits 0x20)", reserved);
        byte[] method = good.clone();
        method[2] = 7;
        rejects("damaged gzip stream (member 1 uses compression method 7, not 8 (deflate))", method);
        byte[] headerCrc = member(SMALL, 0x02, new byte[0]);
        headerCrc[10] ^= 1;
        assertTrue(assertThrows(IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(headerCrc), "s"))
                .problem().startsWith("damaged gzip stream (member 1 has header CRC-16 0x"));
        byte[] size = good.clone();
        size[size.length - 4] ^= 1;
        rejects("damaged gzip stream (member 1 records " + (SMALL.length ^ 1) + " bytes (mod 2^32), but "
                + SMALL.length + " were inflated)", size);
        rejects("truncated gzip stream (the input ends inside the trailer of member 1)",
                Arrays.copyOf(good, good.length - 3));
        rejects("truncated gzip stream (the input ends inside the header of member 1)", Arrays.copyOf(good, 7));
        rejects("truncated gzip stream (the input ends inside the compressed data of member 1)",
                Arrays.copyOf(good, 12));
    }

    /** 1 MiB of zeros, deflated: about a kilobyte that inflates a thousandfold. */
    private static final byte[] MEGABYTE_OF_ZEROS = member(new byte[1 << 20], 0, new byte[0]);

    private static byte[] bomb(byte[] first, int megabytes) {
        byte[][] parts = new byte[megabytes + 1][];
        parts[0] = member(first, 0, new byte[0]);
        Arrays.fill(parts, 1, parts.length, MEGABYTE_OF_ZEROS);
        return concat(parts);
    }

    /** Reads {@code bytes} as a file, expecting a failure whose problem starts with {@code start}, quickly and in little memory. */
    private void refusedCheaply(byte[] bytes, String start, long maxAllocated) throws IOException {
        Path file = dir.resolve("bomb.gz");
        Files.write(file, bytes);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertTrue(e.problem().startsWith(start), e.getMessage());
            assertTrue(allocated < maxAllocated, allocated + " bytes allocated for a " + bytes.length + "-byte file");
        });
    }

    @Test
    void aGzipBombIsInflatedOnlyAsFarAsItsHeaderDeclares() throws IOException {
        // 2 GiB of zeros after a header that declares 1000 bytes: the surplus is seen at its first byte.
        byte[] small = IdxFiles.header(0x08, new int[] {1000}, 1000);
        refusedCheaply(bomb(small, 2048), "trailing bytes: extra bytes after the 1000 bytes of data", 4 << 20);
        // A header over the limit is refused before any data is inflated.
        byte[] huge = IdxFiles.header(0x08, new int[] {2_000_000_000}, 0);
        refusedCheaply(bomb(huge, 2048), "over the data limit: dimensions [2000000000] of UBYTE need 2000000000"
                + " bytes of data, more than the 1073741824 bytes allowed", 4 << 20);
        // A header within the limit whose data is not all there costs a few times what is there (the
        // buffer doubles as data arrives), not what the header promises.
        byte[] promise = IdxFiles.header(0x08, new int[] {1_000_000_000}, 0);
        refusedCheaply(bomb(promise, 8), "truncated: dimensions [1000000000] of UBYTE need 1000000000 bytes of data,"
                + " found " + (8 << 20), 40 << 20);
    }

    @Test
    void theDataLimitCanBeLoweredAndRaised() throws IOException {
        Path file = dir.resolve("three.idx");
        Files.write(file, SMALL);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file, 2));
        assertEquals(file + ": over the data limit: dimensions [3] of UBYTE need 3 bytes of data, more than the 2"
                + " bytes allowed (Idx.read takes a larger limit, up to 2147483639)", e.getMessage());
        assertEquals(3, Idx.read(file, 3).count());
        assertEquals(3, Idx.read(new ByteArrayInputStream(IdxFiles.gzip(SMALL)), "s", 3).count());
        assertThrows(IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(SMALL), "s", 0));
        assertThrows(IllegalArgumentException.class, () -> Idx.read(file, -1));
        assertThrows(IllegalArgumentException.class, () -> Idx.read(file, IdxArray.MAX_DATA_BYTES + 1L));
        assertEquals(Idx.read(file), Idx.read(file, IdxArray.MAX_DATA_BYTES));
    }

    @Test
    void pathsThatAreNotRegularFilesAreRefusedWithoutBeingOpened() throws Exception {
        NotRegularFileException d = assertThrows(NotRegularFileException.class, () -> Idx.read(dir));
        assertEquals(dir + ": is a directory, not an IDX file", d.getMessage());
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull) && !Files.isRegularFile(devNull)) {
            assertEquals("/dev/null: is a character device, not an IDX file",
                    assertThrows(NotRegularFileException.class, () -> Idx.read(devNull)).getMessage());
        }
        Path fifo = dir.resolve("train-images-idx3-ubyte");
        MkFifo.make(fifo);
        NotRegularFileException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(NotRegularFileException.class, () -> Idx.read(fifo)));
        assertEquals(fifo + ": is a FIFO (named pipe), not an IDX file", e.getMessage());
    }

    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));

    private Path fileLongAgo(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        Files.setLastModifiedTime(p, LONG_AGO);
        return p;
    }

    private static void write(Path p, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    @Test
    void aFileChangedWhileItIsReadIsReportedAsChanged() throws IOException {
        byte[] raw = IdxFiles.raw(IdxArray.ofInts(new int[1000], 1000));
        for (byte[] bytes : new byte[][] {raw, IdxFiles.gzip(raw)}) {
            Path cut = fileLongAgo("cut", bytes);
            FileChangedException e = assertThrows(FileChangedException.class, () -> Idx.read(cut,
                    Idx.DEFAULT_MAX_DATA_BYTES, stage -> {
                        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
                            ch.truncate(bytes.length / 2);
                        }
                    }));
            assertTrue(e.getMessage().startsWith(cut + ": changed while it was being read: its size went from "
                    + bytes.length + " to " + bytes.length / 2 + " bytes"), e.getMessage());
            assertInstanceOf(IdxFormatException.class, e.getSuppressed()[0], "what the reader found is kept");

            Path grown = fileLongAgo("grown", bytes);
            assertThrows(FileChangedException.class, () -> Idx.read(grown, Idx.DEFAULT_MAX_DATA_BYTES,
                    stage -> write(grown, bytes.length, new byte[] {0})));

            Path rewritten = fileLongAgo("rewritten", bytes);
            byte[] other = bytes.clone();
            other[other.length - 1] ^= 1;
            FileChangedException r = assertThrows(FileChangedException.class, () -> Idx.read(rewritten,
                    Idx.DEFAULT_MAX_DATA_BYTES, stage -> write(rewritten, 0, other)));
            assertTrue(r.getReason().contains("modification time"), r.getMessage());

            Path replaced = fileLongAgo("replaced", bytes);
            IdxArray before = Idx.read(replaced);
            assertEquals(before, Idx.read(replaced, Idx.DEFAULT_MAX_DATA_BYTES,
                    stage -> IdxWriter.write(replaced, IdxArray.ofInts(new int[] {7}, 1), false)));
            assertEquals(IdxArray.ofInts(new int[] {7}, 1), Idx.read(replaced));
        }
    }
}
