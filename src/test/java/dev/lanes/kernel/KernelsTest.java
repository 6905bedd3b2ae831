package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Provider selection. The tests run with {@code --add-modules jdk.incubator.vector}; the
 * fallback cases start a fresh JVM (same java, same class path) with other flags.
 */
class KernelsTest {

    @Test
    void vectorProviderIsChosenWhenTheModuleIsPresent() {
        assertEquals("vector", Kernels.provider().name(), Kernels.vectorUnavailableReason().orElse(""));
        assertTrue(Kernels.vector().isPresent());
        assertEquals("scalar", Kernels.scalar().name());
    }

    @Test
    void fallsBackToScalarWithoutTheVectorModule() throws Exception {
        Run run = lanesInfo();
        assertTrue(run.out.contains("provider : scalar"), run.out);
        assertTrue(run.err.contains("scalar provider, because the jdk.incubator.vector module is not loaded"),
                run.err);
        assertTrue(run.out.contains("no SIMD"), run.out);
        assertEquals(1, run.err.lines().filter(l -> l.contains("Lanes kernels")).count(), run.err);
    }

    @Test
    void fallsBackToScalarWithoutC2() throws Exception {
        Run run = lanesInfo("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
        assertTrue(run.out.contains("provider : scalar"), run.out);
        assertTrue(run.err.contains("C2 is disabled (-XX:TieredStopAtLevel=1)"), run.err);
    }

    @Test
    void scalarCanBeForced() throws Exception {
        Run run = lanesInfo("--add-modules", "jdk.incubator.vector", "-Dlanes.kernels=scalar");
        assertTrue(run.out.contains("provider : scalar"), run.out);
        assertTrue(run.err.contains("forced by -Dlanes.kernels=scalar"), run.err);
    }

    @Test
    void demandingVectorWithoutTheModuleFailsClearly() throws Exception {
        Run run = lanes(List.of("-Dlanes.kernels=vector"), "info");
        assertTrue(run.status != 0);
        assertTrue(run.err.contains("-Dlanes.kernels=vector, but the vector provider cannot run"), run.err);
    }

    @Test
    void gemmDemoWorksOnTheScalarFallback() throws Exception {
        Run run = lanes(List.of("-Dlanes.threads=2"), "gemm", "40", "65");
        assertEquals(0, run.status, run.err);
        assertTrue(run.out.contains("provider scalar, 2 thread(s)"), run.out);
        assertEquals(2, run.out.lines().filter(l -> l.matches("\\s+(40|65)\\s+.*e-0[5-9]")).count(), run.out);
    }

    private record Run(int status, String out, String err) {
    }

    private static Run lanesInfo(String... jvmArgs) throws Exception {
        return lanes(List.of(jvmArgs), "info");
    }

    private static Run lanes(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.lanes.cli.Lanes");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("lanes", ".out");
        Path err = Files.createTempFile("lanes", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int status = p.waitFor();
            return new Run(status, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
