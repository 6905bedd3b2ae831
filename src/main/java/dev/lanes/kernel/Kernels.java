package dev.lanes.kernel;

import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.Parallel;
import dev.lanes.kernel.internal.Providers;
import java.util.Optional;

/**
 * The settings that choose how kernels run: the provider (scalar or Vector API) and the number
 * of threads. None of them changes a result on one provider: every kernel splits its work by
 * output tiles, never along a sum, so results are bit-identical for any thread count.
 *
 * <p><b>Provider.</b> The vector provider runs when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} and C2 is on; otherwise the scalar provider runs
 * and one log line says why. The system property {@code lanes.kernels} overrides the choice:
 * {@code scalar} forces the scalar provider, {@code vector} demands the vector provider (every
 * kernel call then fails with the reason if it cannot run), {@code auto} is the default. The two
 * providers agree to a few ulp per element, not bit for bit: a model trained on one gives
 * slightly different bits on the other.
 *
 * <p><b>Threads.</b> {@code -Dlanes.threads=N} sizes the worker pool that training and batched
 * kernels use (default: the available processors); {@link #setThreads} resizes it at run time,
 * like {@code torch.set_num_threads}. Serving sessions run on the calling thread.
 */
public final class Kernels {

    /** Upper bound of {@link #setThreads}. */
    public static final int MAX_THREADS = Parallel.MAX_THREADS;

    /** A kernel provider. */
    public enum Provider {
        /** The portable reference: plain Java loops, always available. */
        SCALAR,
        /** Hand-written {@code jdk.incubator.vector} kernels. */
        VECTOR
    }

    private Kernels() {
    }

    /** @return the number of threads (workers plus the caller) that run a parallel kernel */
    public static int threads() {
        return Parallel.threads();
    }

    /**
     * Sets the number of threads that run parallel kernels; results do not depend on it.
     *
     * @param threads in {@code [1, MAX_THREADS]}; 1 runs everything on the calling thread
     * @throws IllegalArgumentException if {@code threads} is out of range
     */
    public static void setThreads(int threads) {
        Parallel.setThreads(threads);
    }

    /**
     * @return the provider that kernels called from this thread run on
     * @throws IllegalStateException when {@code lanes.kernels} is invalid or demands a provider
     *                               that cannot run
     */
    public static Provider provider() {
        return Providers.provider() == Providers.scalar() ? Provider.SCALAR : Provider.VECTOR;
    }

    /**
     * @return a one-line description of the provider in use on this thread (its name, and for
     *         the vector provider the species and blocking)
     */
    public static String describe() {
        return Providers.provider().describe();
    }

    /** @return whether the vector provider can run in this JVM */
    public static boolean vectorAvailable() {
        return Providers.vector().isPresent();
    }

    /** @return why the vector provider cannot run in this JVM, or empty if it can */
    public static Optional<String> vectorUnavailableReason() {
        return Providers.vectorUnavailableReason();
    }

    /**
     * Runs the kernels called from this thread on {@code provider} until the returned scope is
     * closed; scopes nest, and closing one restores the provider in use before. For comparing
     * the providers inside one JVM: {@code try (var s = Kernels.use(Provider.SCALAR)) { ... }}.
     *
     * @param provider the provider to use
     * @return the scope to close
     * @throws IllegalStateException if {@code provider} is {@link Provider#VECTOR} and cannot run
     *                               here (the message says why)
     */
    public static Scope use(Provider provider) {
        KernelProvider chosen = switch (provider) {
            case SCALAR -> Providers.scalar();
            case VECTOR -> Providers.vector().orElseThrow(() -> new IllegalStateException(
                    "Kernels.use: the vector provider cannot run: " + Providers.vectorUnavailableReason().orElse("")));
        };
        return new Scope(Providers.use(chosen));
    }

    /** A {@link #use} scope: closing it restores the provider in use before. */
    public static final class Scope implements AutoCloseable {

        private final Providers.Scope inner;

        private Scope(Providers.Scope inner) {
            this.inner = inner;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
