package dev.lanes.cli;

import dev.lanes.kernel.Blas;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;

/**
 * The {@code lanes} command: see {@link #USAGE}. Exit status 0 on success, 1 when the command
 * failed, 2 for a usage error; errors are one line on standard error, without a stack trace.
 */
public final class Lanes {

    static final String USAGE = """
            usage: lanes <command> [arguments]
              info              version, kernel provider, vector species, threads, JDK
              gemm [N ...]      multiply N x N matrices (default 64 256 1024) after a warm-up,
                                check against a double-precision reference, print GFLOP/s
              train mlp ...     a multilayer perceptron on Fashion-MNIST
              train resnet ...  a CIFAR-style ResNet (or its plain twin) on Fashion-MNIST
              train lstm ...    the recurrent tasks: --task adding or --task translate
              bench gemm ...    SGEMM GFLOP/s (as gemm)
              bench step ...    one streaming LSTM/GRU step at batch 1, in microseconds
              bench serve ...   a bounded multi-threaded serving stress run
              demo              info, gemm, then 2 epochs of 'train mlp' on the shipped slice
                                (curves and checkpoint in target/lanes-demo)
              help              this text; 'lanes <command> --help' for a command's flags
              --version         the version
            JVM options (LANES_JAVA_OPTS with the launcher): -Dlanes.kernels=auto|scalar|vector,
            -Dlanes.threads=N, -Xmx<size> for the heap.
            """;

    private Lanes() {
    }

    /**
     * Runs the command line.
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(args, out, err);
        } catch (IllegalArgumentException e) {
            err.println("lanes: " + e.getMessage());
            return 2;
        } catch (IllegalStateException | ArithmeticException e) {
            err.println("lanes: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("lanes: " + describe(e));
            return 1;
        } catch (UncheckedIOException e) {
            err.println("lanes: " + describe(e.getCause()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("lanes: interrupted");
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("lanes: out of memory (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB heap); raise"
                    + " it with -Xmx, e.g. LANES_JAVA_OPTS=-Xmx8g");
            return 1;
        } catch (RuntimeException e) {
            // Not a user mistake: keep the trace for a bug report.
            err.println("lanes: unexpected error: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /**
     * What went wrong with a file, in words: the file system's exceptions carry little more than
     * the path in their message.
     */
    static String describe(IOException e) {
        String path = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : null;
        String reason = e instanceof FileSystemException f ? f.getReason() : null;
        if (reason != null) {
            return e.getMessage(); // the thrower said what is wrong: path and reason
        }
        return switch (e) {
            case NoSuchFileException x -> "no such file or directory: " + path;
            case AccessDeniedException x -> "permission denied: " + path;
            case FileAlreadyExistsException x -> "already exists: " + path;
            case NotDirectoryException x -> "not a directory: " + path;
            case DirectoryNotEmptyException x -> "directory not empty: " + path;
            case FileSystemException x -> (path == null ? "" : path + ": ") + "file system error";
            default -> e.getMessage() == null ? e.toString() : e.getMessage();
        };
    }

    private static void noArguments(String command, String[] rest) {
        if (rest.length > 0) {
            throw new IllegalArgumentException(command + " takes no arguments, got '" + String.join(" ", rest) + "'");
        }
    }

    /** @return the version of this build, from the resource the build writes */
    static String version() {
        try (InputStream in = Lanes.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int dispatch(String[] args, PrintStream out, PrintStream err) throws IOException,
            InterruptedException {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        boolean help = Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h");
        switch (command) {
            case "demo" -> {
                if (help) {
                    out.print(USAGE);
                    return 0;
                }
                noArguments("demo", rest);
                info(out);
                out.println();
                int status = gemm(new String[0], out, err);
                if (status != 0) {
                    return status;
                }
                out.println();
                return TrainCommand.run(new String[] {"mlp", "--epochs", "2", "--out", "target/lanes-demo"}, out, err);
            }
            case "info" -> {
                if (help) {
                    out.print(USAGE);
                    return 0;
                }
                noArguments("info", rest);
                info(out);
                return 0;
            }
            case "gemm" -> {
                if (help) {
                    out.print(USAGE);
                    return 0;
                }
                return gemm(rest, out, err);
            }
            case "train" -> {
                return TrainCommand.run(rest, out, err);
            }
            case "bench" -> {
                return BenchCommand.run(rest, out, err);
            }
            case "help", "-h", "--help" -> {
                out.print(USAGE);
                return 0;
            }
            case "--version", "version" -> {
                out.println("lanes " + version());
                return 0;
            }
            case "" -> {
                err.print(USAGE);
                return 2;
            }
            default -> {
                err.println("lanes: unknown command '" + command + "' (lanes help lists the commands)");
                return 2;
            }
        }
    }

    static void info(PrintStream out) {
        KernelProvider p = Providers.provider();
        out.println("Lanes " + version());
        out.println("  provider : " + p.name());
        out.println("  detail   : " + p.describe());
        Providers.vectorUnavailableReason().ifPresent(r -> out.println("  no SIMD  : " + r));
        out.println("  threads  : " + Parallel.threads());
        out.println("  jdk      : " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vm.info") + ")");
        out.println("  cpu      : " + Runtime.getRuntime().availableProcessors() + " available processors, "
                + System.getProperty("os.arch"));
    }

    static int gemm(String[] sizes, PrintStream out, PrintStream err) {
        int[] ns;
        try {
            ns = sizes.length == 0 ? new int[] {64, 256, 1024}
                    : Arrays.stream(sizes).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            err.println("lanes gemm: sizes must be integers, got " + String.join(" ", sizes));
            return 2;
        }
        for (int n : ns) {
            if (n < 1 || n > 8192) {
                err.println("lanes gemm: N must be in [1, 8192], got " + n);
                return 2;
            }
        }
        out.println("sgemm C = A * B, N x N, provider " + Providers.provider().name() + ", " + Parallel.threads()
                + " thread(s); each size is warmed up until its time is steady, then timed for a second");
        out.printf("  %6s %12s %10s %14s%n", "N", "best ms", "GFLOP/s", "max rel err");
        // A small size first gets the kernels compiled cheaply before a large size's first calls.
        new GemmDemo(Math.min(128, Arrays.stream(ns).max().orElse(1)), new Random(1)).warmUp();
        for (int n : ns) {
            GemmDemo demo = new GemmDemo(n, new Random(42));
            demo.warmUp();
            double seconds = demo.bestSeconds(1_000_000_000L);
            double gflops = 2.0 * n * n * n / seconds / 1e9;
            out.printf("  %6d %12.3f %10.1f %14.2e%n", n, seconds * 1e3, gflops, demo.maxRelativeError());
        }
        return 0;
    }

    /** One timed product with a spot check against a double-precision dot product. */
    private static final class GemmDemo {
        private final int n;
        private final float[] a;
        private final float[] b;
        private final float[] c;

        GemmDemo(int n, Random random) {
            this.n = n;
            a = new float[n * n];
            b = new float[n * n];
            c = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextFloat() * 2 - 1;
                b[i] = random.nextFloat() * 2 - 1;
            }
        }

        /**
         * Runs the product in rounds of a quarter second until the best time of a round is
         * within 3% of the round before (the JIT has compiled the kernels for this size), for at
         * most 20 s. Until then the first calls run interpreted, hundreds of times slower.
         */
        void warmUp() {
            long give = System.nanoTime() + 20_000_000_000L;
            double previous = bestSeconds(250_000_000L);
            while (System.nanoTime() < give) {
                double best = bestSeconds(250_000_000L);
                if (Math.abs(best - previous) <= 0.03 * previous) {
                    return;
                }
                previous = best;
            }
        }

        /** @return the shortest of the products run for {@code nanos} (at least 3 of them) */
        double bestSeconds(long nanos) {
            double best = Double.MAX_VALUE;
            long deadline = System.nanoTime() + nanos;
            int runs = 0;
            while (runs < 3 || System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                Blas.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                runs++;
            }
            return best;
        }

        double maxRelativeError() {
            Random pick = new Random(7);
            double worst = 0;
            for (int s = 0; s < 64; s++) {
                int i = pick.nextInt(n);
                int j = pick.nextInt(n);
                double ref = 0;
                double scale = 0;
                for (int p = 0; p < n; p++) {
                    ref += (double) a[i * n + p] * b[p * n + j];
                    scale += Math.abs((double) a[i * n + p] * b[p * n + j]);
                }
                worst = Math.max(worst, Math.abs(c[i * n + j] - ref) / Math.max(scale, Double.MIN_NORMAL));
            }
            return worst;
        }
    }
}
