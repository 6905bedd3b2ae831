package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files changed by someone else while they are read: truncated, extended, rewritten in place or
 * replaced. A read either returns the file as it was when it was opened or throws
 * {@link FileChangedException}; it never throws an {@link Error} and never returns bytes of two
 * versions. The mapped path is forced with a heap-read limit of 0, and the changes are made
 * through the reader's hook at exact points: right after the open, or right before a tensor is
 * copied out of the mapping (after the check that precedes the copy).
 */
class SafeTensorsChangeTest {

    /** A time stamp no write made now can have, so that any write changes it. */
    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));
    private static final int N = 4096;

    @TempDir
    Path dir;

    /** Two F32 tensors of 16 KiB each, a then b in the file, and the file's time stamp set long ago. */
    private Path twoTensors(String name, float first) throws IOException {
        Path p = dir.resolve(name);
        SafeTensors.write(p, tensors(first));
        Files.setLastModifiedTime(p, LONG_AGO);
        return p;
    }

    private static Map<String, Tensor> tensors(float first) {
        float[] a = new float[N];
        float[] b = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = first + i;
            b[i] = -first - i;
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(a, N));
        m.put("b", Tensor.of(b, N));
        return m;
    }

    /** The byte offset of tensor b's data in the file. */
    private static long offsetOfB(Path p) throws IOException {
        return Files.size(p) - 4L * N;
    }

    /** Runs {@code change} when the reader reaches {@code stage}. */
    private static WatchedFile.Hook at(String stage, IoAction change) {
        return s -> {
            if (s.equals(stage)) {
                change.run();
            }
        };
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    private static void truncate(Path p, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    private static void overwrite(Path p, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    private static FileChangedException changed(Path p, long heapLimit, WatchedFile.Hook hook) {
        FileChangedException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(FileChangedException.class, () -> SafeTensors.readFile(p, heapLimit, hook)));
        assertEquals(p.toString(), e.getFile());
        assertTrue(e.getMessage().startsWith(p + ": changed while it was being read: "), e.getMessage());
        return e;
    }

    @Test
    void aTruncationThatTakesAwayMappedPagesIsAChangeNotAnError() throws IOException {
        Path p = twoTensors("cut.safetensors", 1);
        long keep = offsetOfB(p);
        FileChangedException e = changed(p, 0, at("b", () -> truncate(p, keep)));
        assertInstanceOf(InternalError.class, e.getCause(), "the fault is the cause");
        assertTrue(e.getMessage().contains("a page of the mapped file could not be read"), e.getMessage());
        assertTrue(e.getMessage().contains("went from " + (keep + 4L * N) + " to " + keep + " bytes"),
                e.getMessage());
    }

    @Test
    void aTruncationInsideTheLastPageIsSeenByTheSizeCheck() throws IOException {
        Path p = twoTensors("short.safetensors", 1);
        long length = Files.size(p);
        // The bytes cut are in the file's last page, which stays mapped and reads as zeros.
        FileChangedException e = changed(p, 0, at("b", () -> truncate(p, length - 4)));
        assertNull(e.getCause());
        assertTrue(e.getMessage().contains("its size went from " + length + " to " + (length - 4) + " bytes"),
                e.getMessage());
    }

    @Test
    void aTruncationBeforeTheHeaderIsReadIsAChange() throws IOException {
        Path p = twoTensors("gone.safetensors", 1);
        changed(p, 0, at("open", () -> truncate(p, 0)));
        changed(twoTensors("heap.safetensors", 1), SafeTensors.MAX_HEAP_READ_BYTES,
                at("open", () -> truncate(dir.resolve("heap.safetensors"), 100)));
    }

    @Test
    void anAppendIsAChange() throws IOException {
        for (long heapLimit : new long[] {0, SafeTensors.MAX_HEAP_READ_BYTES}) {
            Path p = twoTensors("append" + heapLimit, 1);
            long length = Files.size(p);
            changed(p, heapLimit, at(heapLimit == 0 ? "a" : "open", () -> overwrite(p, length, new byte[] {1})));
        }
    }

    @Test
    void anOverwriteInPlaceIsAChangeNotAMixOfVersions() throws IOException {
        Path p = twoTensors("rewritten.safetensors", 1);
        long b = offsetOfB(p);
        byte[] other = new byte[4 * N];
        ThreadLocalRandom.current().nextBytes(other);
        changed(p, 0, at("b", () -> overwrite(p, b, other)));

        // The whole file rewritten with another version of the same layout, before the header is read.
        Path q = twoTensors("version.safetensors", 1);
        byte[] next = SafeTensors.encode(tensors(1000), null);
        assertEquals(Files.size(q), next.length);
        changed(q, 0, at("open", () -> overwrite(q, 0, next)));
        Path h = twoTensors("heap-version.safetensors", 1);
        changed(h, SafeTensors.MAX_HEAP_READ_BYTES, at("open", () -> overwrite(h, 0, next)));
    }

    @Test
    void aFileReplacedByARenameIsReadAsItWasOpened() throws IOException {
        for (long heapLimit : new long[] {0, SafeTensors.MAX_HEAP_READ_BYTES}) {
            Path p = twoTensors("replaced" + heapLimit, 1);
            SafeTensorsFile read = SafeTensors.readFile(p, heapLimit,
                    at(heapLimit == 0 ? "b" : "open", () -> SafeTensors.write(p, tensors(1000))));
            TensorAssertions.assertSameTensors(tensors(1), read.tensors());
            TensorAssertions.assertSameTensors(tensors(1000), SafeTensors.read(p));
        }
    }

    @Test
    void anUnchangedFileReadsAlikeMappedAndFromTheHeap() throws IOException {
        Path p = twoTensors("same.safetensors", 7);
        SafeTensorsFile mapped = SafeTensors.readFile(p, 0, WatchedFile.Hook.NONE);
        SafeTensorsFile heap = SafeTensors.readFile(p, SafeTensors.MAX_HEAP_READ_BYTES, WatchedFile.Hook.NONE);
        TensorAssertions.assertSameTensors(tensors(7), mapped.tensors());
        TensorAssertions.assertSameTensors(tensors(7), heap.tensors());
        assertEquals(SafeTensors.readFile(p).metadata(), mapped.metadata());
    }

    /**
     * Another thread truncates the file at a random moment while it is read, mapped, again and
     * again: each read returns the right values, or fails with {@link FileChangedException}, or
     * (when the cut came before the open) with {@link SafeTensorsFormatException}.
     */
    @Test
    void concurrentTruncationsNeverEscapeAsErrors() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Map<String, Tensor> want = tensors(3);
            byte[] bytes = SafeTensors.encode(want, null);
            int[] outcomes = new int[3];
            for (int round = 0; round < 150; round++) {
                Path p = dir.resolve("race" + round);
                Files.write(p, bytes);
                long cut = ThreadLocalRandom.current().nextLong(bytes.length);
                long delayNanos = ThreadLocalRandom.current().nextLong(300_000);
                AtomicReference<Throwable> cutter = new AtomicReference<>();
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        long until = System.nanoTime() + delayNanos;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        truncate(p, cut);
                    } catch (Throwable e) {
                        cutter.set(e);
                    }
                });
                try {
                    SafeTensorsFile read = SafeTensors.readFile(p, 0, WatchedFile.Hook.NONE);
                    TensorAssertions.assertSameTensors(want, read.tensors());
                    outcomes[0]++;
                } catch (FileChangedException e) {
                    outcomes[1]++;
                } catch (SafeTensorsFormatException e) {
                    outcomes[2]++;
                } catch (Throwable e) {
                    fail("round " + round + ": expected the values or a named IOException, got " + e, e);
                }
                t.join();
                assertNull(cutter.get());
                Files.delete(p);
            }
            assertEquals(150, outcomes[0] + outcomes[1] + outcomes[2]);
        });
    }

    @Test
    void aFifoIsRefusedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("pipe.safetensors");
        MkFifo.make(fifo);
        NotRegularFileException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(NotRegularFileException.class, () -> SafeTensors.read(fifo)));
        assertEquals(fifo + ": is a FIFO (named pipe), not a safetensors file", e.getMessage());
        assertEquals(fifo.toString(), e.getFile());
        Path link = dir.resolve("link.safetensors");
        Files.createSymbolicLink(link, fifo);
        e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(NotRegularFileException.class, () -> SafeTensors.readFile(link)));
        assertEquals(link + ": is a FIFO (named pipe), not a safetensors file", e.getMessage());
    }

    @Test
    void devicesAndDirectoriesAreRefusedAndLinksToFilesFollowed() throws IOException {
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull) && !Files.isRegularFile(devNull)) {
            NotRegularFileException e = assertThrows(NotRegularFileException.class, () -> SafeTensors.read(devNull));
            assertEquals("/dev/null: is a character device, not a safetensors file", e.getMessage());
        }
        NotRegularFileException e = assertThrows(NotRegularFileException.class, () -> SafeTensors.read(dir));
        assertEquals(dir + ": is a directory, not a safetensors file", e.getMessage());
        Path file = twoTensors("target.safetensors", 2);
        Path link = dir.resolve("link.safetensors");
        Files.createSymbolicLink(link, file);
        TensorAssertions.assertSameTensors(tensors(2), SafeTensors.read(link));
        Path toDirectory = dir.resolve("link-to-directory");
        Files.createSymbolicLink(toDirectory, dir);
        assertEquals(toDirectory + ": is a directory, not a safetensors file",
                assertThrows(NotRegularFileException.class, () -> SafeTensors.read(toDirectory)).getMessage());
    }
}
