package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * XChart is optional: in a JVM whose class path lacks it (as a user's, since the dependency is
 * not passed on), {@code lanes train} with curves trains to the end, writes the CSV and says once
 * how to get the charts.
 */
class WithoutXChartTest {

    @TempDir
    Path dir;

    @Test
    void trainingWritesTheCsvAndSaysOnceHowToGetCharts() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("xchart"))
                .collect(Collectors.joining(File.pathSeparator));
        assertFalse(classPath.contains("xchart"));
        Path out = dir.resolve("run");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", classPath, "dev.lanes.cli.Lanes",
                "train", "mlp", "--epochs", "2", "--hidden", "16", "--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ended");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertFalse(text.contains("NoClassDefFoundError") || text.contains("Exception"), text);
        assertTrue(text.contains("epoch 2/2") && text.contains("test accuracy"), text);
        assertEquals(1, text.lines().filter(Charts.HOW_TO_GET_CHARTS::equals).count(), text);
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(3, csv.size(), "a header and two epochs: " + csv);
        assertTrue(Files.exists(out.resolve("checkpoint.safetensors")));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".png")), "no PNG without XChart");
        }
    }
}
