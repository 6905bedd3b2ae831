package dev.lanes.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixture format the generators in {@code tools/golden/} share: {@code case <name> key=value ...},
 * {@code tensor <key> <dims or -> <values...>} lines, {@code end}; and the 1e-10 comparison the
 * golden tests use (relative to the value where it exceeds 1).
 */
final class GoldenFile {

    private GoldenFile() {
    }

    /** One case: its attributes and its tensors, in file order. */
    record Case(String name, Map<String, String> attrs, Map<String, Tensor> tensors) {

        int attr(String k) {
            return Integer.parseInt(attrs.get(k));
        }

        /** An attribute written as comma-separated integers ("2,3"). */
        int[] ints(String k) {
            return Arrays.stream(attrs.get(k).split(",")).mapToInt(Integer::parseInt).toArray();
        }

        Tensor t(String k) {
            Tensor t = tensors.get(k);
            assertNotNull(t, name + ": no tensor " + k);
            return t;
        }

        /** The tensors whose keys start with {@code prefix}, the prefix removed. */
        Map<String, Tensor> withPrefix(String prefix) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            tensors.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.put(k.substring(prefix.length()), v);
                }
            });
            return out;
        }
    }

    /** @return the cases of the class-path resource {@code /golden/<file>} */
    static List<Case> read(String file) throws IOException {
        List<Case> out = new ArrayList<>();
        try (InputStream in = GoldenFile.class.getResourceAsStream("/golden/" + file)) {
            assertNotNull(in, "golden/" + file + " is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Case current = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] p = line.split(" ");
                switch (p[0]) {
                    case "case" -> {
                        Map<String, String> attrs = new LinkedHashMap<>();
                        for (int i = 2; i < p.length; i++) {
                            int eq = p[i].indexOf('=');
                            attrs.put(p[i].substring(0, eq), p[i].substring(eq + 1));
                        }
                        current = new Case(p[1], attrs, new LinkedHashMap<>());
                    }
                    case "tensor" -> current.tensors().put(p[1], tensor(p));
                    case "end" -> out.add(current);
                    default -> {
                    }
                }
            }
        }
        return out;
    }

    /** @return the F64 tensor of a {@code tensor} line split at spaces */
    static Tensor tensor(String[] p) {
        int[] dims = p[2].equals("-") ? new int[0] : Arrays.stream(p[2].split(","))
                .mapToInt(Integer::parseInt).toArray();
        double[] v = new double[p.length - 3];
        for (int i = 3; i < p.length; i++) {
            v[i - 3] = Double.parseDouble(p[i]);
        }
        return Tensor.of(v, dims);
    }

    /** Same shape, and every element within 1e-10 (relative above magnitude 1). */
    static void assertMatches(String what, Tensor expected, Tensor actual) {
        assertNotNull(actual, what + " is missing");
        assertEquals(expected.shape(), actual.shape(), what + " shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= 1e-10 * Math.max(1, Math.abs(e[i])),
                    what + " element " + i + ": PyTorch " + e[i] + ", Lanes " + a[i]);
        }
    }
}
