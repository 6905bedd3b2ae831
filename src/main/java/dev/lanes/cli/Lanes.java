package dev.lanes.cli;

import dev.lanes.kernel.Blas;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Providers;
import dev.lanes.kernel.internal.Parallel;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Random;

/**
 * The {@code lanes} command.
 *
 * <pre>
 * lanes                 info, the GEMM demo, then 2 epochs of an MLP on the shipped Fashion-MNIST slice
 * lanes info            kernel provider, vector species, threads, JDK
 * lanes gemm [N ...]    multiplies N x N matrices, checks the result, prints GFLOP/s
 * lanes train ...       training programs (see {@code lanes train --help})
 * lanes bench ...       quick in-process timings (see {@code lanes bench --help})
 * lanes help            this text
 * </pre>
 */
public final class Lanes {

    private static final String USAGE = """
            usage: lanes [command]
              (none)        info, gemm, then 2 epochs of 'train mlp' on the shipped Fashion-MNIST
                            slice (curves and checkpoint in target/lanes-demo)
              info          kernel provider, vector species, threads, JDK
              gemm [N ...]  multiply N x N matrices (default 64 256 1024), check against a
                            double-precision reference on sampled entries, print GFLOP/s
              train ...     train a model: mlp (Fashion-MNIST), lstm (--task adding|translate)
              bench ...     quick timings: gemm, step (a streaming LSTM/GRU step)
              help          this text ('lanes <command> --help' for each command)
            JVM properties: -Dlanes.kernels=auto|scalar|vector  -Dlanes.threads=N
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
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(args, out, err);
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println("lanes: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("lanes: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("lanes: interrupted");
            return 1;
        }
    }

    private static int dispatch(String[] args, PrintStream out, PrintStream err) throws IOException,
            InterruptedException {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "" -> {
                info(out);
                out.println();
                int status = gemm(new String[0], out, err);
                if (status != 0) {
                    return status;
                }
                out.println();
                return TrainCommand.run(new String[] {"mlp", "--epochs", "2", "--out", "target/lanes-demo"}, out, err);
            }
            case "info", "gemm" -> {
                if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
                    out.print(USAGE);
                    return 0;
                }
                if (command.equals("gemm")) {
                    return gemm(rest, out, err);
                }
                info(out);
                return 0;
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
            default -> {
                err.println("lanes: unknown command '" + command + "'");
                err.print(USAGE);
                return 2;
            }
        }
    }

    static void info(PrintStream out) {
        KernelProvider p = Providers.provider();
        out.println("Lanes kernels");
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
            err.println("lanes gemm: sizes must be integers, got " + Arrays.toString(sizes));
            return 2;
        }
        out.println("sgemm C = A * B, N x N, provider " + Providers.provider().name() + ", " + Parallel.threads()
                + " thread(s)");
        out.printf("  %6s %12s %10s %14s%n", "N", "best ms", "GFLOP/s", "max rel err");
        for (int n : ns) {
            if (n < 1 || n > 8192) {
                err.println("lanes gemm: N must be in [1, 8192], got " + n);
                return 2;
            }
            GemmDemo demo = new GemmDemo(n, new Random(42));
            double seconds = demo.bestSeconds();
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

        double bestSeconds() {
            double best = Double.MAX_VALUE;
            long deadline = System.nanoTime() + 1_000_000_000L;
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
