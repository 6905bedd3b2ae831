package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PNG line charts and CSV tables. */
class ChartsTest {

    @TempDir
    Path dir;

    @Test
    void writesAPngWithTwoSeries() throws IOException {
        assertTrue(Charts.available(), "XChart is on the test class path");
        Series train = new Series("train", new double[] {1, 2, 3, 4}, new double[] {1, 0.5, 0.2, 0.1});
        Series test = new Series("test", new double[] {2, 4}, new double[] {0.6, 0.15});
        Path png = dir.resolve("sub/loss.png");
        Charts.linePng(png, "loss", "step", "MSE", List.of(train, test), true);
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
    }

    @Test
    void rejectsWhatCannotBeDrawn() {
        Series zero = new Series("s", new double[] {1}, new double[] {0});
        Path png = dir.resolve("a.png");
        assertThrows(IllegalArgumentException.class, () -> Charts.linePng(png, "", "", "", List.of(zero), true));
        assertThrows(IllegalArgumentException.class, () -> Charts.linePng(dir.resolve("a.jpg"), "", "", "",
                List.of(zero), false));
        assertThrows(IllegalArgumentException.class, () -> Charts.linePng(png, "", "", "", List.of(zero, zero), false));
        assertThrows(IllegalArgumentException.class, () -> Charts.linePng(png, "", "", "", List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new Series("s", new double[] {1, 2}, new double[] {1}));
    }

    @Test
    void writesCsvWithEmptyCellsForNaN() throws IOException {
        Path csv = dir.resolve("curve.csv");
        Csv.write(csv, List.of("step", "loss", "test"), List.of(new double[] {1, 0.25, Double.NaN},
                new double[] {2, 0.125, 3}));
        assertEquals("step,loss,test\n1,0.25,\n2,0.125,3\n", Files.readString(csv));
        assertThrows(IllegalArgumentException.class, () -> Csv.write(csv, List.of("a,b"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> Csv.write(csv, List.of("a"), List.of(new double[2])));
        assertEquals("step,loss,test\n1,0.25,\n2,0.125,3\n", Files.readString(csv), "a failed write changes nothing");
    }
}
