package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Damaged IDX files, raw and gzipped: every truncation, byte flip and appendage of a valid file
 * either reads as a valid array or fails with {@link IdxFormatException}, never another
 * exception, and quickly.
 */
class IdxFuzzProperties {

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("idx-fuzz");
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

    /** A valid file: its array and whether it is gzipped. */
    record Valid(IdxArray array, boolean gzip) {
        byte[] bytes() {
            byte[] raw = IdxFiles.raw(array);
            return gzip ? IdxFiles.gzip(raw) : raw;
        }
    }

    /**
     * A damage: cut the file to {@code keep} of its length, flip the bytes at {@code positions}
     * (modulo the length) with {@code masks}, then append {@code extra}.
     */
    record Damage(double keep, List<Integer> positions, List<Integer> masks, List<Byte> extra) {
    }

    @Provide
    Arbitrary<Valid> valid() {
        Arbitrary<IdxType> type = Arbitraries.of(IdxType.class);
        Arbitrary<List<Integer>> dims = Arbitraries.integers().between(0, 7).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(type, dims, seed, Arbitraries.of(false, true)).as((t, d, s, gzip) -> {
            int[] shape = d.stream().mapToInt(Integer::intValue).toArray();
            long bytes = IdxArray.dataBytes(t, shape);
            byte[] data = new byte[(int) bytes];
            new java.util.Random(s).nextBytes(data);
            return new Valid(new IdxArray(t, shape, data), gzip);
        });
    }

    @Provide
    Arbitrary<Damage> damage() {
        Arbitrary<Double> keep = Arbitraries.oneOf(Arbitraries.just(1.0), Arbitraries.doubles().between(0, 1));
        Arbitrary<List<Integer>> positions = Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMaxSize(3);
        Arbitrary<List<Integer>> masks = Arbitraries.integers().between(1, 255).list().ofSize(3);
        Arbitrary<List<Byte>> extra = Arbitraries.oneOf(Arbitraries.just(List.of()),
                Arbitraries.bytes().list().ofMinSize(1).ofMaxSize(30));
        return Combinators.combine(keep, positions, masks, extra).as(Damage::new);
    }

    static byte[] damaged(byte[] bytes, Damage d) {
        byte[] out = Arrays.copyOf(bytes, (int) Math.floor(bytes.length * d.keep()));
        for (int i = 0; i < d.positions().size() && out.length > 0; i++) {
            out[d.positions().get(i) % out.length] ^= d.masks().get(i).byteValue();
        }
        byte[] longer = Arrays.copyOf(out, out.length + d.extra().size());
        for (int i = 0; i < d.extra().size(); i++) {
            longer[out.length + i] = d.extra().get(i);
        }
        return longer;
    }

    @Property(tries = 400)
    void damagedFilesReadOrFailCleanly(@ForAll("valid") Valid valid, @ForAll("damage") Damage damage)
            throws IOException {
        byte[] original = valid.bytes();
        byte[] bytes = damaged(original, damage);
        Path file = dir.resolve("fuzz" + (valid.gzip() ? ".gz" : ""));
        Files.write(file, bytes);
        long start = System.nanoTime();
        IdxArray fromFile = readOrNull(() -> Idx.read(file));
        IdxArray fromStream = readOrNull(() -> Idx.read(new ByteArrayInputStream(bytes), "fuzz"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2_000, "took " + millis + " ms");
        assertEquals(fromFile, fromStream, "a file and a stream of the same bytes read alike");
        if (Arrays.equals(bytes, original)) {
            assertEquals(valid.array(), fromFile);
        }
        if (!valid.gzip() && bytes.length != original.length) {
            assertEquals(null, fromFile, "a cut or extended raw file never reads");
        }
    }

    interface Read {
        IdxArray read() throws IOException;
    }

    /** The array read, or null if the reader rejected the bytes with {@link IdxFormatException}. */
    static IdxArray readOrNull(Read read) {
        try {
            return read.read();
        } catch (IdxFormatException e) {
            assertTrue(e.getMessage().startsWith(e.source() + ": "), e.getMessage());
            return null;
        } catch (Throwable t) {
            return fail("expected an array or IdxFormatException, got " + t, t);
        }
    }
}
