package dev.lanes.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Random safetensors files for fuzzing, written by hand (not by the writer under test) in every
 * valid spelling: header order and data order shuffled independently, whitespace between tokens,
 * entry keys in any order, characters escaped at random, F32/F64/F16/BF16, scalars and zero
 * sizes. A file is kept as JSON fragments so that structural mutations can replace one of them.
 */
final class FuzzFiles {

    static final String[] READABLE = {"F32", "F64", "F16", "BF16"};

    /** One entry: the tensor name and the raw JSON of its three values. */
    static final class Entry {
        String name;
        String dtype;
        long[] shape;
        String dtypeJson;
        String shapeJson;
        String offsetsJson;
        long begin;
        long end;
        /** Extra members inserted verbatim into the entry object (mutations). */
        String extra = "";
    }

    final Random random;
    final List<Entry> entries = new ArrayList<>();
    final Map<String, String> metadata = new LinkedHashMap<>();
    /** Raw JSON replacing the metadata object (mutations), or null. */
    String metadataJson;
    /** Raw members ({@code "name":value}) added to the top-level object (mutations). */
    final List<String> extraMembers = new ArrayList<>();
    byte[] data;
    boolean spaced;
    double escapeRate;

    FuzzFiles(long seed) {
        random = new Random(seed);
        spaced = random.nextInt(3) == 0;
        escapeRate = random.nextInt(3) == 0 ? 0.2 : 0;
        int count = random.nextInt(5);
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < count) {
            names.add(name());
        }
        for (String n : names) {
            Entry e = new Entry();
            e.name = n;
            e.dtype = READABLE[random.nextInt(READABLE.length)];
            e.shape = new long[random.nextInt(4)];
            for (int i = 0; i < e.shape.length; i++) {
                e.shape[i] = random.nextInt(5);
            }
            entries.add(e);
        }
        // Data in an order of its own.
        List<Entry> layout = new ArrayList<>(entries);
        Collections.shuffle(layout, random);
        long offset = 0;
        for (Entry e : layout) {
            long bytes = elements(e.shape) * size(e.dtype);
            e.begin = offset;
            e.end = offset + bytes;
            offset += bytes;
            e.dtypeJson = "\"" + e.dtype + "\"";
            e.shapeJson = array(e.shape);
            e.offsetsJson = array(new long[] {e.begin, e.end});
        }
        Collections.shuffle(entries, random);
        data = new byte[(int) offset];
        random.nextBytes(data);
        if (random.nextBoolean()) {
            int m = random.nextInt(4);
            for (int i = 0; i < m; i++) {
                metadata.put(name(), random.nextBoolean() ? name() : "");
            }
        }
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static int size(String dtype) {
        return switch (dtype) {
            case "F64" -> 8;
            case "F32" -> 4;
            default -> 2;
        };
    }

    private String name() {
        String alphabet = "abcxyz_./0123456789ü名🙂\"\\\n";
        StringBuilder sb = new StringBuilder();
        int len = 1 + random.nextInt(6);
        int[] cps = alphabet.codePoints().toArray();
        for (int i = 0; i < len; i++) {
            sb.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        return sb.toString();
    }

    private String ws() {
        if (!spaced || random.nextInt(3) != 0) {
            return "";
        }
        String[] w = {" ", "\t", "\n", "\r\n", "  "};
        return w[random.nextInt(w.length)];
    }

    private String array(long[] values) {
        StringBuilder sb = new StringBuilder("[").append(ws());
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ws() + "," + ws()).append(values[i]);
        }
        return sb.append(ws()).append(']').toString();
    }

    /** A JSON string literal for {@code s}, escaping characters at random where it need not (both halves of a pair). */
    String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp == '"' || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp < 0x20 || random.nextDouble() < escapeRate) {
                for (char c : Character.toChars(cp)) {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }

    /** The header JSON (without padding); the metadata goes anywhere among the entries. */
    String json() {
        List<String> members = new ArrayList<>();
        for (Entry e : entries) {
            List<String> keys = new ArrayList<>(List.of(
                    "\"dtype\"" + ws() + ":" + ws() + e.dtypeJson,
                    "\"shape\"" + ws() + ":" + ws() + e.shapeJson,
                    "\"data_offsets\"" + ws() + ":" + ws() + e.offsetsJson));
            Collections.shuffle(keys, random);
            members.add(string(e.name) + ws() + ":" + ws() + "{" + ws() + String.join(ws() + "," + ws(), keys)
                    + e.extra + ws() + "}");
        }
        String meta = null;
        if (metadataJson != null) {
            meta = metadataJson;
        } else if (!metadata.isEmpty()) {
            List<String> kv = new ArrayList<>();
            metadata.forEach((k, v) -> kv.add(string(k) + ws() + ":" + ws() + string(v)));
            meta = "{" + ws() + String.join(ws() + "," + ws(), kv) + ws() + "}";
        }
        if (meta != null) {
            members.add(random.nextInt(members.size() + 1), string(SafeTensors.METADATA_KEY) + ws() + ":" + ws() + meta);
        }
        members.addAll(extraMembers);
        return "{" + ws() + String.join(ws() + "," + ws(), members) + ws() + "}";
    }

    /** The whole file, the header padded with 0 to 7 spaces. */
    byte[] bytes() {
        byte[] header = (json() + " ".repeat(random.nextInt(8))).getBytes(StandardCharsets.UTF_8);
        return RawFiles.file(header.length, header, data);
    }

    /** The values the reader must return for entry {@code e} of an unchanged file, widened to double. */
    double[] expected(Entry e) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) elements(e.shape);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int at = (int) e.begin + i * size(e.dtype);
            out[i] = switch (e.dtype) {
                case "F32" -> b.getFloat(at);
                case "F64" -> b.getDouble(at);
                case "F16" -> Float.float16ToFloat(b.getShort(at));
                default -> Float.intBitsToFloat(b.getShort(at) << 16);
            };
        }
        return out;
    }
}
