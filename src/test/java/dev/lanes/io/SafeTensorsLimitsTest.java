package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.SafeTensorsFormatException.Rule;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headers that declare a lot in few bytes: a huge rank, many tensors, many empty tensors, many
 * metadata keys, deep nesting. Each limit admits exactly its value and refuses one more with its
 * rule, quickly, and the heap a header costs stays a small multiple of its length however much
 * it declares.
 */
class SafeTensorsLimitsTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What decoding gave: the file or the error, and the bytes the reading thread allocated. */
    record Outcome(SafeTensorsFile file, SafeTensorsFormatException error, long allocated) {

        SafeTensorsFormatException failed(Rule rule, String tensor) {
            assertNotNull(error, "expected " + rule);
            SafeTensorsValidationTest.assertMessage(error, "<buffer>", rule, tensor);
            return error;
        }
    }

    static Outcome decode(byte[] bytes) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            SafeTensorsFile file = null;
            SafeTensorsFormatException error = null;
            try {
                file = SafeTensors.decode(ByteBuffer.wrap(bytes));
            } catch (SafeTensorsFormatException e) {
                error = e;
            }
            return new Outcome(file, error, THREADS.getCurrentThreadAllocatedBytes() - before);
        });
    }

    private static void allocatedAtMost(Outcome o, double timesLength, byte[] file) {
        assertTrue(o.allocated() <= timesLength * file.length + (1 << 20), o.allocated() + " bytes allocated for a "
                + file.length + "-byte file");
    }

    @Test
    void theMostDimensionsAreReadAndOneMoreIsRefused() {
        Outcome ok = decode(HostileHeaders.rank(SafeTensors.MAX_RANK));
        assertNull(ok.error());
        assertEquals(SafeTensors.MAX_RANK, ok.file().tensors().get("t").dims().length);
        SafeTensorsFormatException e = decode(HostileHeaders.rank(SafeTensors.MAX_RANK + 1))
                .failed(Rule.TOO_MANY_DIMENSIONS, "t");
        assertTrue(e.getMessage().contains("Lanes reads shapes of at most 64 dimensions (the shape has more than 64"
                + " dimensions)"), e.getMessage());
    }

    @Test
    void aHugeRankIsRefusedWithoutBuildingTheShape() {
        byte[] file = HostileHeaders.rank(10_000_000);
        Outcome o = decode(file);
        o.failed(Rule.TOO_MANY_DIMENSIONS, "t");
        // The header's bytes and its string; nothing in proportion to the ten million sizes.
        allocatedAtMost(o, 2.5, file);
    }

    @Test
    void theMostTensorsAreReadAndOneMoreIsRefused() {
        byte[] atLimit = HostileHeaders.emptyTensors(SafeTensors.MAX_TENSORS);
        Outcome ok = decode(atLimit);
        assertNull(ok.error());
        assertEquals(SafeTensors.MAX_TENSORS, ok.file().tensors().size());
        allocatedAtMost(ok, 32, atLimit);
        SafeTensorsFormatException e = decode(HostileHeaders.emptyTensors(SafeTensors.MAX_TENSORS + 1))
                .failed(Rule.TOO_MANY_TENSORS, null);
        assertTrue(e.getMessage().contains("the header lists more than 131072 tensors; the next one is '"
                + Integer.toString(SafeTensors.MAX_TENSORS, 36) + "'"), e.getMessage());
    }

    @Test
    void millionsOfEmptyTensorsStopAtTheLimit() {
        byte[] file = HostileHeaders.emptyTensors(8 * SafeTensors.MAX_TENSORS);
        Outcome o = decode(file);
        o.failed(Rule.TOO_MANY_TENSORS, null);
        // The header's bytes and string, and the entries up to the limit: reading all of them as
        // tensors would cost about twenty times the file.
        allocatedAtMost(o, 5, file);
    }

    @Test
    void theMostMetadataKeysAreReadAndOneMoreIsRefused() {
        Outcome ok = decode(HostileHeaders.metadataKeys(SafeTensors.MAX_METADATA_ENTRIES));
        assertNull(ok.error());
        assertEquals(SafeTensors.MAX_METADATA_ENTRIES, ok.file().metadata().size());
        byte[] file = HostileHeaders.metadataKeys(16 * SafeTensors.MAX_METADATA_ENTRIES);
        Outcome o = decode(file);
        SafeTensorsFormatException e = o.failed(Rule.TOO_MANY_METADATA_ENTRIES, SafeTensors.METADATA_KEY);
        assertTrue(e.getMessage().contains("it has more than 65536 keys; the next one is '"
                + Integer.toString(SafeTensors.MAX_METADATA_ENTRIES, 36) + "'"), e.getMessage());
        allocatedAtMost(o, 5, file);
    }

    @Test
    void deepNestingIsRefusedWhereItStarts() {
        String deep = "[".repeat(10_000_000);
        String[][] cases = {
            {"{\"__metadata__\":{\"k\":" + deep + "}}", "WRONG_TYPE", "__metadata__"},
            {"{\"t\":{\"dtype\":\"F32\",\"shape\":[" + deep + "],\"data_offsets\":[0,4]}}", "BAD_SHAPE", "t"},
            {"{\"t\":" + deep + "}", "WRONG_TYPE", "t"},
            {"{\"t\":{\"dtype\":" + deep + "}}", "WRONG_TYPE", "t"},
        };
        for (String[] c : cases) {
            byte[] file = RawFiles.file(c[0], 0);
            Outcome o = decode(file);
            o.failed(Rule.valueOf(c[1]), c[2]);
            allocatedAtMost(o, 2.5, file);
        }
    }

    @Test
    void filesAreHeldToTheSameLimits(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("many.safetensors");
        Files.write(p, HostileHeaders.emptyTensors(SafeTensors.MAX_TENSORS + 1));
        for (long heapLimit : new long[] {0, SafeTensors.MAX_HEAP_READ_BYTES}) {
            SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class,
                    () -> SafeTensors.readFile(p, heapLimit, WatchedFile.Hook.NONE));
            SafeTensorsValidationTest.assertMessage(e, p.toString(), Rule.TOO_MANY_TENSORS, null);
        }
        Files.write(p, HostileHeaders.rank(SafeTensors.MAX_RANK + 1));
        SafeTensorsValidationTest.assertMessage(assertThrows(SafeTensorsFormatException.class,
                () -> SafeTensors.read(p)), p.toString(), Rule.TOO_MANY_DIMENSIONS, "t");
    }
}
