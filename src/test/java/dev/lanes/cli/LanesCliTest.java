package dev.lanes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code lanes} command: help on every command, training with checkpoint and resume, quick benchmarks. */
class LanesCliTest {

    @TempDir
    Path dir;

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Lanes.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandHasHelp() {
        Result top = run("--help");
        assertEquals(0, top.status());
        assertTrue(top.out().contains("train") && top.out().contains("bench") && top.out().contains("info"), top.out());
        for (String[] cmd : new String[][] {{"train", "--help"}, {"train", "mlp", "--help"}, {"train", "resnet", "--help"},
                {"train", "lstm", "--help"}, {"train", "lstm", "--task", "adding", "--help"},
                {"bench", "--help"}, {"bench", "step", "--help"}, {"bench", "serve", "--help"}, {"info", "--help"}, {"gemm", "--help"}}) {
            Result r = run(cmd);
            assertEquals(0, r.status(), String.join(" ", cmd) + ": " + r.err());
            assertTrue(r.out().contains("usage") || r.out().contains("--"), String.join(" ", cmd) + ": " + r.out());
        }
        Result bad = run("train", "resnet9000");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("unknown model 'resnet9000'"), bad.err());
        Result badFlag = run("train", "mlp", "--epochs", "zero");
        assertEquals(2, badFlag.status());
        assertTrue(badFlag.err().startsWith("lanes: "), badFlag.err());
    }

    @Test
    void trainsCheckpointsAndResumes() throws Exception {
        String out = dir.resolve("mlp").toString();
        Result first = run("train", "mlp", "--epochs", "1", "--hidden", "32", "--batch", "100", "--out", out);
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().contains("epoch 1/1") && first.out().contains("test accuracy"), first.out());
        Path ckpt = dir.resolve("mlp").resolve("checkpoint.safetensors");
        assertTrue(Files.exists(ckpt));
        assertTrue(Files.exists(dir.resolve("mlp").resolve("metrics.csv")));
        Result second = run("train", "mlp", "--epochs", "2", "--hidden", "32", "--batch", "100", "--out", out,
                "--resume", ckpt.toString());
        assertEquals(0, second.status(), second.err());
        assertTrue(second.out().contains("resumed at step 20") && second.out().contains("epoch 2/2")
                && !second.out().contains("epoch 1/2"), second.out());
    }

    @Test
    void quickBenchmarksRun() {
        Result r = run("bench", "step", "gru", "16", "24");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("GRUCell(16, 24) step, batch 1: min"), r.out());
        Result serve = run("bench", "serve", "2", "0.3");
        assertEquals(0, serve.status(), serve.err());
        assertTrue(serve.out().contains("LSTM(128, 256) step") && serve.out().contains("p99"), serve.out());
        assertTrue(serve.out().contains("ResNet-20 image") && !serve.out().contains("no steps measured"),
                serve.out());
        assertEquals(2, run("bench", "serve", "0").status());
    }

    @Test
    void helpListsEveryCommandAndVersionPrintsTheBuildsVersion() {
        Result help = run("help");
        assertEquals(0, help.status());
        for (String command : new String[] {"info", "gemm", "train mlp", "train resnet", "train lstm", "bench gemm",
                "bench step", "bench serve", "demo", "--version"}) {
            assertTrue(help.out().contains(command), "help lists '" + command + "': " + help.out());
        }
        Result version = run("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().matches("lanes \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R"), version.out());
        assertTrue(run("info").out().startsWith("Lanes " + Lanes.version()), "info names the version");
    }

    @Test
    void usageErrorsAreOneLineWithStatusTwo() {
        for (String[] cmd : new String[][] {{}, {"frob"}, {"gemm", "12a"}, {"gemm", "0"}, {"info", "extra"},
                {"train", "resnet", "--depth", "x"}, {"train", "resnet", "--bogus", "1"},
                {"train", "resnet", "--plain=maybe"}, {"train", "mlp", "--epochs"}}) {
            Result r = run(cmd);
            assertEquals(2, r.status(), String.join(" ", cmd) + ": " + r.err());
            assertTrue(r.out().isEmpty(), String.join(" ", cmd) + " printed to stdout: " + r.out());
            if (cmd.length > 0) {
                assertEquals(1, r.err().lines().count(), String.join(" ", cmd) + ": " + r.err());
            }
        }
    }

    @Test
    void fileErrorsSayWhatIsWrong() {
        assertEquals("no such file or directory: /x/y", Lanes.describe(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals("permission denied: /x", Lanes.describe(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("/x: locked", Lanes.describe(new java.nio.file.FileSystemException("/x", null, "locked")));
    }

    @Test
    void switchesTakeNoValue() {
        dev.lanes.examples.Flags flags = new dev.lanes.examples.Flags("t", java.util.List.of(
                dev.lanes.examples.Flags.Flag.onOff("plain", false, "p"),
                new dev.lanes.examples.Flags.Flag("depth", "20", "d"))).parse(new String[] {"--plain", "--depth", "32"});
        assertTrue(flags.on("plain"));
        assertEquals(32, flags.integer("depth", 1, 100));
        assertTrue(!new dev.lanes.examples.Flags("t", java.util.List.of(
                dev.lanes.examples.Flags.Flag.onOff("flip", true, "f"))).parse(new String[] {"--flip=false"}).on("flip"));
    }

    @Test
    void aFailedTrainingRunLeavesNoOutputDirectoryBehind() throws Exception {
        Path out = dir.resolve("never");
        Result r = run("train", "mlp", "--data", dir.resolve("no-such-data").toString(), "--out", out.toString());
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("Fashion-MNIST file missing"), "the loader's own explanation: " + r.err());
        Result noFile = run("train", "mlp", "--epochs", "1", "--out", out.toString(), "--resume",
                dir.toString());
        assertEquals(2, noFile.status(), noFile.err());
        assertTrue(!Files.exists(out), "the output directory was not left behind");
        Result missing = run("train", "mlp", "--epochs", "1", "--out", out.toString(), "--resume",
                dir.resolve("missing.safetensors").toString());
        assertEquals(2, missing.status(), missing.err());
        assertTrue(!Files.exists(out), "the output directory was not left behind");
        // Fails after the directory was made: resuming from a file that is not a checkpoint.
        Path garbage = Files.write(dir.resolve("garbage.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Result bad = run("train", "mlp", "--epochs", "1", "--out", out.toString(), "--resume", garbage.toString());
        assertEquals(1, bad.status(), bad.err());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(!Files.exists(out), "the output directory was removed again");
    }
}
