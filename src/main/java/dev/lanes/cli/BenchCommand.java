package dev.lanes.cli;

import dev.lanes.nn.CellSession;
import dev.lanes.nn.GRUCell;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.RecurrentCell;
import dev.lanes.tensor.Generator;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code lanes bench ...}: quick in-process timings, to check a machine in seconds. The numbers
 * that the project reports come from the JMH suite and the side-by-side scripts in {@code bench/}.
 */
final class BenchCommand {

    static final String USAGE = """
            usage: lanes bench <what>
              gemm [N ...]          SGEMM GFLOP/s for N x N matrices (as lanes gemm)
              step [lstm|gru] [d N] one streaming recurrent step at batch 1 (default lstm 128 256):
                                    microseconds per step, min and median of 9 timed rounds
              serve [threads] [seconds]
                                    a bounded stress run: each thread steps sessions of a frozen
                                    LSTM(128, 256) and GRU(64, 128) plan in turn and classifies a
                                    1x28x28 image on a frozen ResNet-20 every 8 rounds; throughput
                                    and p50/p99/max latency per model (default 8 threads, 3 s)
            The JMH suite and the side-by-side comparisons with OpenBLAS and PyTorch are in bench/
            (bench/jmh, bench/compare-sgemm, bench/compare-recurrent).
            """;

    private BenchCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        String what = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (what) {
            case "gemm" -> {
                return Lanes.gemm(rest, out, err);
            }
            case "step" -> {
                return step(rest, out, err);
            }
            case "serve" -> {
                return ServeStress.run(rest, out, err);
            }
            case "", "help", "-h", "--help" -> {
                out.print(USAGE);
                return what.isEmpty() ? 2 : 0;
            }
            default -> {
                err.println("lanes bench: unknown benchmark '" + what + "' (lanes bench --help lists them)");
                return 2;
            }
        }
    }

    private static int step(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        String cell = args.length > 0 ? args[0] : "lstm";
        int d;
        int n;
        try {
            d = args.length > 1 ? Integer.parseInt(args[1]) : 128;
            n = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        } catch (NumberFormatException e) {
            err.println("lanes bench step: sizes must be integers, got " + Arrays.toString(args));
            return 2;
        }
        Generator gen = new Generator(1);
        RecurrentCell c = switch (cell) {
            case "lstm" -> new LSTMCell(d, n, gen);
            case "gru" -> new GRUCell(d, n, gen);
            default -> throw new IllegalArgumentException("bench step: the cell is lstm or gru, got '" + cell + "'");
        };
        CellSession s = c.session(1);
        Arrays.fill(s.input().f32(), 0.5f);
        int steps = 2000;
        double[] us = new double[9];
        for (int warm = 0; warm < 30; warm++) {
            for (int i = 0; i < steps; i++) {
                s.step();
            }
        }
        for (int r = 0; r < us.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                s.step();
            }
            us[r] = (System.nanoTime() - t0) / 1e3 / steps;
        }
        Arrays.sort(us);
        out.printf(Locale.ROOT, "%s(%d, %d) step, batch 1: min %.2f us, median %.2f us (%d rounds of %d steps)%n",
                c.getClass().getSimpleName(), d, n, us[0], us[us.length / 2], us.length, steps);
        return 0;
    }
}
