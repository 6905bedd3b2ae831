package dev.lanes.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes numeric tables as CSV (RFC 4180, comma-separated, one header line, UTF-8, {@code \n}
 * line ends), for loss curves and metrics. Integral values are written without a fraction, others
 * with {@link Double#toString(double)}'s shortest exact form, and NaN as an empty cell (a value
 * not measured at that row). The file is written to a temporary sibling and moved into place, so
 * a failed write leaves any previous file untouched.
 */
public final class Csv {

    private Csv() {
    }

    /**
     * @param file   the CSV file (replaced if present; parent directories are created)
     * @param header the column names, non-empty, without commas, quotes or line breaks
     * @param rows   the rows, each with one value per column
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, List<String> header, List<double[]> rows) throws IOException {
        check(file, header, rows);
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(String.join(",", header));
                w.write('\n');
                for (double[] row : rows) {
                    for (int i = 0; i < row.length; i++) {
                        if (i > 0) {
                            w.write(',');
                        }
                        w.write(format(row[i]));
                    }
                    w.write('\n');
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** @return the cell text of one value */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static void check(Path file, List<String> header, List<double[]> rows) {
        if (file == null || header == null || rows == null) {
            throw new NullPointerException("Csv.write: file, header and rows must not be null");
        }
        if (header.isEmpty()) {
            throw new IllegalArgumentException("Csv.write: the header has no columns");
        }
        for (String name : header) {
            if (name == null || name.isEmpty() || name.matches(".*[,\"\\r\\n].*")) {
                throw new IllegalArgumentException("Csv.write: bad column name '" + name
                        + "' (non-empty, no commas, quotes or line breaks)");
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            if (row == null || row.length != header.size()) {
                throw new IllegalArgumentException("Csv.write: row " + r + " has " + (row == null ? "no"
                        : row.length) + " values for " + header.size() + " columns");
            }
        }
    }
}
