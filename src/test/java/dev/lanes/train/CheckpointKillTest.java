package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while a training process checkpoints after every step: whatever the instant, the
 * checkpoint left behind reads, resumes, and the next run removes the temporary file an
 * interrupted save left.
 */
class CheckpointKillTest {

    @TempDir
    Path dir;

    /** The process that is killed: trains with a checkpoint after every step until killed. */
    public static final class Writer {
        public static void main(String[] args) throws IOException {
            Path ckpt = Path.of(args[0]);
            TrainerTest.Run r = TrainerTest.Run.make(1, 2);
            r.trainer(1000, new ByteArrayOutputStream()).checkpoint(ckpt, 1).keepCheckpoints(2).build().fit();
        }
    }

    @Test
    void aCheckpointSurvivesKillNineAtAnyInstant() throws Exception {
        Path ckpt = dir.resolve("ckpt.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Random random = new Random(20);
        long previousStep = -1;
        for (int kill = 0; kill < 3; kill++) {
            Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                    System.getProperty("java.class.path"), Writer.class.getName(), ckpt.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // Wait until this process has written past the previous run's last step.
                while (stepOf(ckpt) <= previousStep && System.nanoTime() < deadline && p.isAlive()) {
                    Thread.sleep(20);
                }
                assertTrue(p.isAlive(), "the writer is still training");
                Thread.sleep(30 + random.nextInt(300));
            } finally {
                p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks in the writer
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            }
            long step = stepOf(ckpt);
            assertTrue(step > previousStep, "a newer checkpoint after kill " + kill + ": " + step);
            TrainerTest.Run r = TrainerTest.Run.make(5, 6);
            Trainer resumed = r.trainer(1000, new ByteArrayOutputStream()).checkpoint(ckpt, 1).keepCheckpoints(2)
                    .maxSteps(step + 1).build();
            resumed.resume(ckpt);
            assertEquals(step, resumed.steps());
            resumed.fit(); // one more step: it starts by removing leftovers of the killed save
            try (Stream<Path> files = Files.list(dir)) {
                List<String> temps = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp"))
                        .toList();
                assertEquals(List.of(), temps, "no temporary files left after the next run");
            }
            previousStep = step + 1;
        }
    }

    private static long stepOf(Path ckpt) {
        try {
            return Long.parseLong(dev.lanes.io.SafeTensors.readFile(ckpt).metadata().get("step"));
        } catch (IOException | RuntimeException e) {
            return -1; // not there yet
        }
    }
}
