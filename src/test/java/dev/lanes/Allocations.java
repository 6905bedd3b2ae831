package dev.lanes;

import java.lang.management.ManagementFactory;

/**
 * Bytes a call allocates once the JIT has settled: the calling thread's allocation counter
 * (ThreadMXBean) around batches of calls, after a warm-up. A batch that allocates nothing ends the
 * measurement early, since compilations still running can allocate in the first rounds.
 */
public final class Allocations {

    private Allocations() {
    }

    /**
     * How long batches go on past {@code rounds} while they still allocate. Interpreted and C1
     * code allocates where C2's code does not, and behind a whole suite's compile queue on a
     * busy machine C2 can take a call's methods after any fixed number of calls; a call that
     * allocates in steady state still fails, after this long.
     */
    private static final long SETTLE_NANOS = 20_000_000_000L;

    /**
     * @param call   the call to measure, run on this thread
     * @param warmUp calls before measuring
     * @param batch  calls per measured batch
     * @param rounds batches at least, while they allocate (then more until {@link #SETTLE_NANOS})
     * @return the bytes the last batch allocated: 0 as soon as a batch allocates nothing
     */
    public static long settledBytes(Runnable call, int warmUp, int batch, int rounds) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warmUp; i++) {
            call.run();
        }
        long deadline = System.nanoTime() + SETTLE_NANOS;
        long bytes = -1;
        for (int round = 0; bytes != 0 && (round < rounds || System.nanoTime() < deadline); round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < batch; i++) {
                call.run();
            }
            bytes = threads.getCurrentThreadAllocatedBytes() - before;
        }
        return bytes;
    }

    /**
     * Bytes a batch of calls allocates on the calling thread and the pool's workers, after a
     * warm-up; 0 as soon as a batch allocates nothing (batches as in {@link #settledBytes}). Every counter is read as a plain long, so
     * the measurement allocates nothing itself.
     */
    public static long settledBytesWithWorkers(Runnable call, int warmUp, int batch, int rounds) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warmUp; i++) {
            call.run();
        }
        long[] workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("lanes-worker-")).mapToLong(Thread::threadId).toArray();
        long[] before = new long[workers.length];
        long deadline = System.nanoTime() + SETTLE_NANOS;
        long bytes = -1;
        for (int round = 0; bytes != 0 && (round < rounds || System.nanoTime() < deadline); round++) {
            for (int i = 0; i < workers.length; i++) {
                before[i] = mx.getThreadAllocatedBytes(workers[i]);
            }
            long self = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < batch; i++) {
                call.run();
            }
            bytes = mx.getCurrentThreadAllocatedBytes() - self;
            for (int i = 0; i < workers.length; i++) {
                bytes += mx.getThreadAllocatedBytes(workers[i]) - before[i];
            }
        }
        return bytes;
    }
}
