package dev.lanes.cli;

import dev.lanes.nn.GRUCell;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.models.ResNets;
import dev.lanes.serve.RecurrentPlan;
import dev.lanes.serve.RecurrentSession;
import dev.lanes.serve.ResNetPlan;
import dev.lanes.serve.ResNetSession;
import dev.lanes.tensor.Generator;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code lanes bench serve}: threads share three frozen plans (an LSTM and a GRU cell, and a
 * ResNet-20 for 1x28x28 images) and run their own sessions of them in turn until the time is up:
 * a step of each cell every round, one image every {@value #IMAGE_EVERY} rounds. Every call's
 * latency goes into a preallocated per-thread array, so measuring allocates nothing. Reports
 * calls per second and latency percentiles per model.
 */
final class ServeStress {

    /** Latency samples kept per thread and model (the first ones after the warm-up). */
    private static final int SAMPLES = 1 << 17;
    /** Warm-up before the timed phase. */
    private static final long WARMUP_NANOS = 4_000_000_000L;
    /** Rounds per ResNet image: an image costs about twenty LSTM steps. */
    private static final int IMAGE_EVERY = 8;

    private ServeStress() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(BenchCommand.USAGE);
            return 0;
        }
        int threads;
        double seconds;
        try {
            threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
            seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        } catch (NumberFormatException e) {
            err.println("lanes bench serve: expected [threads] [seconds], got " + Arrays.toString(args));
            return 2;
        }
        if (threads < 1 || threads > 256 || !(seconds > 0 && seconds <= 600)) {
            err.println("lanes bench serve: threads in [1, 256] and seconds in (0, 600], got " + threads + " and "
                    + seconds);
            return 2;
        }
        RecurrentPlan lstm = RecurrentPlan.freeze(new LSTMCell(128, 256, new Generator(1)));
        RecurrentPlan gru = RecurrentPlan.freeze(new GRUCell(64, 128, new Generator(2)));
        ResNetPlan resnet = ResNetPlan.freeze(ResNets.resnet20(1, 10, new Generator(3)), 1, 28, 28);
        // Long enough for the JIT to compile the ResNet path too on a busy 2-core machine (with
        // 1 s, a 3 s run still measured interpreted code: 16 ms images instead of 0.6 ms).
        long warmupEnd = System.nanoTime() + WARMUP_NANOS;
        long end = warmupEnd + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<long[][]>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            work.add(pool.submit(() -> worker(lstm, gru, resnet, warmupEnd, end)));
        }
        long[][] lstmTimes = new long[threads][];
        long[][] gruTimes = new long[threads][];
        long[][] imageTimes = new long[threads][];
        try {
            for (int t = 0; t < threads; t++) {
                long[][] r = work.get(t).get();
                lstmTimes[t] = r[0];
                gruTimes[t] = r[1];
                imageTimes[t] = r[2];
            }
        } catch (java.util.concurrent.ExecutionException e) {
            err.println("lanes bench serve: a worker failed: " + e.getCause());
            return 1;
        } finally {
            pool.shutdownNow();
        }
        out.printf(Locale.ROOT, "%d threads, %.1f s after %.0f s of warm-up, %d available processors%n", threads,
                seconds, WARMUP_NANOS / 1e9, Runtime.getRuntime().availableProcessors());
        report(out, "LSTM(128, 256) step", lstmTimes, seconds);
        report(out, "GRU(64, 128) step", gruTimes, seconds);
        report(out, "ResNet-20 image", imageTimes, seconds);
        return 0;
    }

    /** @return per model: the number of timed calls, then the latencies in ns */
    private static long[][] worker(RecurrentPlan lstm, RecurrentPlan gru, ResNetPlan resnet, long warmupEnd,
                                   long end) {
        RecurrentSession a = lstm.session(1);
        RecurrentSession b = gru.session(1);
        ResNetSession c = resnet.session(1);
        float[] xa = new float[128];
        float[] xb = new float[64];
        float[] image = new float[resnet.imageSize()];
        Arrays.fill(xa, 0.25f);
        Arrays.fill(xb, -0.25f);
        Arrays.fill(image, 0.5f);
        long[] ta = new long[SAMPLES + 1];
        long[] tb = new long[SAMPLES + 1];
        long[] tc = new long[SAMPLES + 1];
        int na = 0;
        int nb = 0;
        int nc = 0;
        for (long round = 0; ; round++) {
            long t0 = System.nanoTime();
            if (t0 >= end) {
                break;
            }
            a.step(xa);
            long t1 = System.nanoTime();
            b.step(xb);
            long t2 = System.nanoTime();
            boolean timed = t0 >= warmupEnd && na < SAMPLES;
            if (timed) {
                ta[++na] = t1 - t0;
                tb[++nb] = t2 - t1;
            }
            if (round % IMAGE_EVERY == 0) {
                c.run(image);
                if (timed) {
                    tc[++nc] = System.nanoTime() - t2;
                }
            }
        }
        ta[0] = na;
        tb[0] = nb;
        tc[0] = nc;
        return new long[][] {ta, tb, tc};
    }

    private static void report(PrintStream out, String name, long[][] perThread, double seconds) {
        int total = 0;
        for (long[] t : perThread) {
            total += (int) t[0];
        }
        long[] all = new long[total];
        int k = 0;
        for (long[] t : perThread) {
            System.arraycopy(t, 1, all, k, (int) t[0]);
            k += (int) t[0];
        }
        Arrays.sort(all);
        if (total == 0) {
            out.println("  " + name + ": no steps measured");
            return;
        }
        out.printf(Locale.ROOT, "  %-22s %10.0f calls/s   p50 %7.1f us   p99 %7.1f us   max %8.1f us%n", name,
                total / seconds, all[total / 2] / 1e3, all[(int) Math.min(total - 1, (long) (total * 0.99))] / 1e3,
                all[total - 1] / 1e3);
    }
}
