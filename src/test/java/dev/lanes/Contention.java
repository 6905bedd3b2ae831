package dev.lanes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several threads calling into one object at once, for tests of misuse detection: the threads
 * start together and each keeps calling until it has made {@code minCalls} calls and some call
 * (on any thread) has been refused, or until it has made {@code maxCalls} calls or the time is
 * up, so a run is bounded whatever the scheduler does.
 */
public final class Contention {

    private Contention() {
    }

    /** One call of thread {@code thread}, its {@code i}-th; it checks its own result and throws if it is wrong. */
    @FunctionalInterface
    public interface Call {
        void run(int thread, int i) throws Exception;
    }

    /**
     * @param succeeded calls that returned normally
     * @param refused   calls refused with an {@link IllegalStateException} saying the object is in use
     * @param failures  everything else thrown: wrong results, other exceptions
     * @param refusal   the message of the first refusal, or null
     */
    public record Outcome(int succeeded, int refused, List<Throwable> failures, String refusal) {

        /** Fails with the count and the first failure when any call failed. */
        public void assertNoFailures() {
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " of " + (succeeded + refused + failures.size())
                        + " calls failed; the first: " + failures.get(0), failures.get(0));
                throw e;
            }
        }
    }

    /**
     * @param threads  threads calling at once
     * @param minCalls calls each thread makes at least (unless the time is up)
     * @param maxCalls calls each thread makes at most
     * @param millis   the time after which every thread stops after its current call
     * @param call     the call
     * @return what happened
     */
    public static Outcome hammer(int threads, int minCalls, int maxCalls, long millis, Call call)
            throws InterruptedException {
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        String[] refusal = new String[1];
        CountDownLatch start = new CountDownLatch(1);
        long deadline = System.nanoTime() + millis * 1_000_000;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    failures.add(e);
                    return;
                }
                for (int i = 0; i < maxCalls && System.nanoTime() < deadline; i++) {
                    if (i >= minCalls && refused.get() > 0) {
                        break;
                    }
                    try {
                        call.run(thread, i);
                        succeeded.incrementAndGet();
                    } catch (IllegalStateException e) {
                        if (e.getMessage() != null && e.getMessage().contains("in use by another thread")) {
                            synchronized (refusal) {
                                if (refusal[0] == null) {
                                    refusal[0] = e.getMessage();
                                }
                            }
                            refused.incrementAndGet();
                        } else {
                            failures.add(e);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }, "contention-" + t);
            worker.start();
            started.add(worker);
        }
        start.countDown();
        for (Thread worker : started) {
            worker.join();
        }
        synchronized (refusal) {
            return new Outcome(succeeded.get(), refused.get(), List.copyOf(failures), refusal[0]);
        }
    }

    /** Runs {@code work} on a new thread and waits for it, rethrowing what it threw. */
    public static <T> T onNewThread(java.util.concurrent.Callable<T> work) throws Exception {
        Object[] result = new Object[1];
        Throwable[] thrown = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                result[0] = work.call();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        thread.start();
        thread.join();
        switch (thrown[0]) {
            case null -> { }
            case Exception e -> throw e;
            case Error e -> throw e;
            default -> throw new AssertionError(thrown[0]);
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }
}
