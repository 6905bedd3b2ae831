package dev.lanes.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Providers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Provider selection. The tests run with {@code --add-modules jdk.incubator.vector}; the
 * fallback cases start a fresh JVM (same java, same class path) with other flags.
 */
class KernelsTest {

    @Test
    void vectorProviderIsChosenWhenTheModuleIsPresent() {
        assertEquals("vector", Providers.provider().name(), Providers.vectorUnavailableReason().orElse(""));
        assertTrue(Providers.vector().isPresent());
        assertEquals("scalar", Providers.scalar().name());
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

    /** The module descriptor: as a named module, with and without the optional Vector API. */
    @Test
    void runsAsANamedModuleWithOrWithoutTheVectorModule() throws Exception {
        Run vector = lanesModule(List.of("--add-modules", "jdk.incubator.vector"));
        assertEquals(0, vector.status, vector.err);
        assertTrue(vector.out.contains("provider : vector"), vector.out + vector.err);
        Run scalar = lanesModule(List.of());
        assertEquals(0, scalar.status, scalar.err);
        assertTrue(scalar.out.contains("provider : scalar"), scalar.out);
        assertTrue(scalar.err.contains("jdk.incubator.vector module is not loaded"), scalar.err);
        // jdk.management is not resolved here, so C2 is judged from the command line.
        Run noC2 = lanesModule(List.of("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1"));
        assertTrue(noC2.out.contains("provider : scalar"), noC2.out);
        assertTrue(noC2.err.contains("C2 is disabled (-XX:TieredStopAtLevel=1)"), noC2.err);
    }

    @Test
    void readsC2FlagsFromTheCommandLine() {
        assertEquals(null, Providers.c2ProblemFromCommandLine(new String[] {"-Xmx1g"}));
        assertEquals("C2 is disabled (-XX:TieredStopAtLevel=3)",
                Providers.c2ProblemFromCommandLine(new String[] {"-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=3"}));
        assertEquals(null, Providers.c2ProblemFromCommandLine(
                new String[] {"-XX:TieredStopAtLevel=1", "-XX:-TieredCompilation"}));
        assertEquals("the JIT compiler is disabled (-XX:-UseCompiler)",
                Providers.c2ProblemFromCommandLine(new String[] {"-XX:-UseCompiler"}));
        assertEquals("C2 is disabled (-XX:CompilationMode=quick-only)",
                Providers.c2ProblemFromCommandLine(new String[] {"-XX:CompilationMode=quick-only"}));
    }

    @Test
    void badSettingsAreReportedOnEveryUse() throws Exception {
        Run bad = lanes(List.of("-Dlanes.kernels=fast"), "info");
        assertEquals(1, bad.status, "an unusable kernel setting is a failure, reported in one line");
        assertTrue(bad.err.contains("lanes.kernels must be one of auto, scalar, vector; got 'fast'"), bad.err);
        Run kc = lanesInfo("--add-modules", "jdk.incubator.vector", "-Dlanes.sgemm.kc=0");
        assertTrue(kc.out.contains("provider : scalar"), kc.out);
        assertTrue(kc.err.contains("lanes.sgemm.kc must be an integer in [1, 4096], got '0'"), kc.err);
        assertTrue(kc.out.contains("no SIMD  : the vector provider failed to initialise"), kc.out);
        assertTrue(kc.out.contains("lanes.sgemm.kc"), kc.out);
        Run threads = lanesInfo("-Dlanes.threads=lots");
        assertTrue(threads.out.contains("threads  : " + Runtime.getRuntime().availableProcessors()), threads.out);
        assertTrue(threads.err.contains("lanes.threads must be an integer in [1, 1024], got 'lots'"), threads.err);
    }

    private record Run(int status, String out, String err) {
    }

    private static Run lanesInfo(String... jvmArgs) throws Exception {
        return lanes(List.of(jvmArgs), "info");
    }

    private static Run lanes(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.lanes.cli.Lanes");
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private static Run lanesModule(List<String> jvmArgs) throws IOException, InterruptedException {
        String classes = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> Files.exists(Path.of(e, "module-info.class")))
                .findFirst().orElseThrow(() -> new AssertionError("no module-info.class on the class path"));
        List<String> cmd = new ArrayList<>(jvmArgs);
        cmd.addAll(List.of("--module-path", classes, "-m", "dev.lanes/dev.lanes.cli.Lanes", "info"));
        return exec(cmd);
    }

    private static Run exec(List<String> javaArgs) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(javaArgs);
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
