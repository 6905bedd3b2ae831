package dev.lanes.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Makes FIFOs (named pipes) for tests with the mkfifo command; a test is skipped where there is none. */
final class MkFifo {

    private MkFifo() {
    }

    /** Creates a FIFO at {@code path}, or aborts the calling test if mkfifo cannot be run here. */
    static void make(Path path) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        } catch (IOException noMkfifo) {
            Assumptions.abort("mkfifo cannot be run here: " + noMkfifo.getMessage());
            return;
        }
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "mkfifo did not finish");
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), "mkfifo " + path + ": " + output);
    }
}
