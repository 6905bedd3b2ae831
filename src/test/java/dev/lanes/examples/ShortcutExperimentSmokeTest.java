package dev.lanes.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny run of the shortcut experiment: both nets of one depth train and the files appear. */
class ShortcutExperimentSmokeTest {

    @Test
    void runsAndWritesItsCurves(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ShortcutExperiment.run(new String[] {"--depths", "8", "--steps", "3", "--batch", "8", "--out",
                dir.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("Plain-8") && text.contains("ResNet-8"), text);
        List<String> norms = Files.readAllLines(dir.resolve("gradient-norms.csv"));
        assertEquals("x,Plain-8,ResNet-8", norms.get(0));
        assertEquals(1 + 7, norms.size(), "one row per 3x3 convolution of an 8-layer net");
        assertEquals(1 + 3, Files.readAllLines(dir.resolve("loss.csv")).size());
        assertEquals(2, ShortcutExperiment.run(new String[] {"--steps", "0"}, new PrintStream(out),
                new PrintStream(err)));
    }
}
