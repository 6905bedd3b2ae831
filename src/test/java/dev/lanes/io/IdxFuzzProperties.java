package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
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
 * exception or an {@link Error}, and quickly; a file cut or extended, raw or gzipped, never
 * reads. Gzip files in several members read as one; bytes after the data or after the last
 * member are refused.
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
            new Random(s).nextBytes(data);
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

    /** The time one case may take, a file and a stream read together. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    @Property(tries = 400, seed = "20261212")
    void damagedFilesReadOrFailCleanly(@ForAll("valid") Valid valid, @ForAll("damage") Damage damage)
            throws IOException {
        byte[] original = valid.bytes();
        byte[] bytes = damaged(original, damage);
        Path file = dir.resolve("fuzz" + (valid.gzip() ? ".gz" : ""));
        Files.write(file, bytes);
        IdxArray[] read = assertTimeoutPreemptively(BOUND, () -> new IdxArray[] {
            readOrNull(() -> Idx.read(file)),
            readOrNull(() -> Idx.read(new ByteArrayInputStream(bytes), "fuzz"))});
        IdxArray fromFile = read[0];
        assertEquals(fromFile, read[1], "a file and a stream of the same bytes read alike");
        if (Arrays.equals(bytes, original)) {
            assertEquals(valid.array(), fromFile);
        }
        if (damage.positions().isEmpty() && bytes.length != original.length) {
            assertEquals(null, fromFile, "a cut or extended file never reads, raw or gzipped");
        }
    }

    /** How a valid gzip file is rearranged or extended. */
    enum Layer {
        /** The raw bytes split into several members (valid). */
        MEMBERS,
        /** Bytes that do not start a member after the last one. */
        GARBAGE_AFTER,
        /** More inflated bytes than the header declares, in the same member. */
        INFLATED_SURPLUS,
        /** More inflated bytes than the header declares, in a member of their own. */
        SURPLUS_MEMBER
    }

    @Property(tries = 200, seed = "20261213")
    void gzipLayersReadOnlyWhenExact(@ForAll("valid") Valid valid, @ForAll Layer layer, @ForAll long seed) {
        Random r = new Random(seed);
        byte[] raw = IdxFiles.raw(valid.array());
        byte[] extra = new byte[1 + r.nextInt(40)];
        r.nextBytes(extra);
        byte[] bytes = switch (layer) {
            case MEMBERS -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int at = 0;
                do {
                    int n = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(raw.length - at);
                    out.writeBytes(IdxFiles.gzip(Arrays.copyOfRange(raw, at, at + n)));
                    at += n;
                } while (at < raw.length);
                yield out.toByteArray();
            }
            case GARBAGE_AFTER -> {
                if (extra[0] == 0x1f) {
                    extra[0] = 0;
                }
                yield RawFiles.concat(IdxFiles.gzip(raw), extra);
            }
            case INFLATED_SURPLUS -> IdxFiles.gzip(RawFiles.concat(raw, extra));
            case SURPLUS_MEMBER -> RawFiles.concat(IdxFiles.gzip(raw), IdxFiles.gzip(extra));
        };
        assertTimeoutPreemptively(BOUND, () -> {
            if (layer == Layer.MEMBERS) {
                assertEquals(valid.array(), Idx.read(new ByteArrayInputStream(bytes), "layers"));
                return;
            }
            IdxFormatException e = assertThrows(IdxFormatException.class,
                    () -> Idx.read(new ByteArrayInputStream(bytes), "layers"));
            assertTrue(e.problem().startsWith(layer == Layer.GARBAGE_AFTER ? "trailing bytes: the gzip stream ends"
                    : "trailing bytes: extra bytes after the"), e.getMessage());
        });
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
