package dev.lanes.kernel.internal;

import dev.lanes.kernel.scalar.ScalarProvider;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the kernel provider once per JVM.
 *
 * <p>The vector provider is used when all of these hold: the {@code jdk.incubator.vector}
 * module is in the boot layer and readable, the C2 compiler is enabled (the Vector API is only
 * fast once C2 intrinsifies it), and the preferred vector species is at least 128 bits wide.
 * Otherwise the scalar provider runs and one log line says why.
 *
 * <p>The system property {@code lanes.kernels} overrides the choice: {@code scalar} forces the
 * scalar provider; {@code vector} demands the vector provider and fails if it cannot load;
 * {@code auto} (the default) chooses as above.
 *
 * <p>This class never touches {@code jdk.incubator.vector} itself: the vector provider is loaded
 * by name, so the fallback path runs on JVMs without the module.
 */
public final class Providers {

    static final String VECTOR_PROVIDER = "dev.lanes.kernel.vector.VectorProvider";
    private static final System.Logger LOG = System.getLogger("dev.lanes.kernel");
    private static final ThreadLocal<KernelProvider> OVERRIDE = new ThreadLocal<>();

    private Providers() {
    }

    /** Holder-class idiom: the vector provider is tried on first use, exactly once. */
    private static final class VectorAttempt {
        /** The vector provider, or null. */
        static final KernelProvider PROVIDER;
        /** Why the vector provider cannot run, or null. */
        static final String REASON;

        static {
            KernelProvider provider = null;
            String reason;
            try {
                provider = loadVector();
                reason = null;
            } catch (UnavailableException e) {
                reason = e.getMessage();
            }
            PROVIDER = provider;
            REASON = reason;
        }
    }

    /** Holder-class idiom: the choice is made on first use, exactly once. */
    private static final class Choice {
        /** The chosen provider, or null when the configuration is invalid. */
        static final KernelProvider PROVIDER;
        /** Why no provider could be chosen, or null. */
        static final String ERROR;

        static {
            KernelProvider provider = null;
            String error = null;
            try {
                provider = choose();
            } catch (IllegalArgumentException | IllegalStateException e) {
                error = e.getMessage();
            }
            PROVIDER = provider;
            ERROR = error;
        }
    }

    /**
     * @return the provider in use on this thread: the one a {@link #use} scope set, else the one
     *         chosen for this JVM
     * @throws IllegalStateException (on every call) when {@code lanes.kernels} is invalid or
     *                               demands a provider that cannot run
     */
    public static KernelProvider provider() {
        KernelProvider p = OVERRIDE.get();
        if (p != null) {
            return p;
        }
        p = Choice.PROVIDER;
        if (p == null) {
            throw new IllegalStateException(Choice.ERROR);
        }
        return p;
    }

    /**
     * Runs the kernels called from this thread on {@code provider} until the returned scope is
     * closed (scopes nest; closing restores the previous provider). Meant for tests and for
     * comparing providers inside one JVM: {@code try (var s = Providers.use(Providers.scalar())) {...}}.
     *
     * @return the scope to close
     */
    public static Scope use(KernelProvider provider) {
        if (provider == null) {
            throw new NullPointerException("Providers.use: provider is null");
        }
        KernelProvider previous = OVERRIDE.get();
        OVERRIDE.set(provider);
        return new Scope(previous);
    }

    /** @return this thread's {@link #use} override, or null (for {@link Parallel}'s workers) */
    static KernelProvider override() {
        return OVERRIDE.get();
    }

    /** Sets this thread's override (null for none) without a scope: {@link Parallel}'s workers. */
    static void setOverride(KernelProvider provider) {
        if (provider == null) {
            OVERRIDE.remove();
        } else {
            OVERRIDE.set(provider);
        }
    }

    /** A {@link #use} scope: closing it restores the provider in use before. */
    public static final class Scope implements AutoCloseable {

        private final KernelProvider previous;
        private boolean closed;

        private Scope(KernelProvider previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (previous == null) {
                OVERRIDE.remove();
            } else {
                OVERRIDE.set(previous);
            }
        }
    }

    /** @return the scalar reference provider, always available */
    public static KernelProvider scalar() {
        return ScalarProvider.INSTANCE;
    }

    /**
     * The vector provider, regardless of the {@code lanes.kernels} setting.
     *
     * @return the vector provider, or empty when this JVM cannot run it
     */
    public static Optional<KernelProvider> vector() {
        return Optional.ofNullable(VectorAttempt.PROVIDER);
    }

    /**
     * Why the vector provider cannot run in this JVM.
     *
     * @return the reason, or empty if it can run
     */
    public static Optional<String> vectorUnavailableReason() {
        return Optional.ofNullable(VectorAttempt.REASON);
    }

    private static KernelProvider choose() {
        String setting = System.getProperty("lanes.kernels", "auto").trim().toLowerCase(Locale.ROOT);
        switch (setting) {
            case "scalar" -> {
                LOG.log(System.Logger.Level.INFO, "Lanes kernels: scalar provider (forced by -Dlanes.kernels=scalar)");
                return scalar();
            }
            case "vector" -> {
                if (VectorAttempt.PROVIDER == null) {
                    throw new IllegalStateException("-Dlanes.kernels=vector, but the vector provider cannot run: "
                            + VectorAttempt.REASON);
                }
                return VectorAttempt.PROVIDER;
            }
            case "auto", "" -> {
                if (VectorAttempt.PROVIDER == null) {
                    LOG.log(System.Logger.Level.WARNING, "Lanes kernels: scalar provider, because " + VectorAttempt.REASON);
                    return scalar();
                }
                return VectorAttempt.PROVIDER;
            }
            default -> throw new IllegalArgumentException(
                    "lanes.kernels must be one of auto, scalar, vector; got '" + setting + "'");
        }
    }

    private static KernelProvider loadVector() throws UnavailableException {
        Optional<Module> vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector");
        if (vectorModule.isEmpty()) {
            throw new UnavailableException(
                    "the jdk.incubator.vector module is not loaded (start java with --add-modules jdk.incubator.vector)");
        }
        Module self = Providers.class.getModule();
        if (!self.canRead(vectorModule.get())) {
            self.addReads(vectorModule.get());
        }
        String c2 = c2Problem();
        if (c2 != null) {
            throw new UnavailableException(c2);
        }
        try {
            Class<?> type = Class.forName(VECTOR_PROVIDER, true, Providers.class.getClassLoader());
            return (KernelProvider) type.getField("INSTANCE").get(null);
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UnavailableException("the vector provider failed to initialise: " + cause);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnavailableException("the vector provider failed to load: " + e);
        }
    }

    /** @return why C2 is not available, or null when it is (or when we cannot tell) */
    private static String c2Problem() {
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted mode")) {
            return "the JVM runs in interpreted mode (-Xint), so the Vector API would not be compiled";
        }
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (bean != null) {
                return c2Problem(bean.getVMOption("UseCompiler").getValue(),
                        bean.getVMOption("TieredCompilation").getValue(),
                        bean.getVMOption("TieredStopAtLevel").getValue(),
                        bean.getVMOption("CompilationMode").getValue());
            }
        } catch (LinkageError | RuntimeException e) {
            // jdk.management is not in this runtime or not readable (a named module without it):
            // fall back to the command line below.
        }
        return c2ProblemFromCommandLine(ProcessHandle.current().info().arguments().orElse(new String[0]));
    }

    public static String c2Problem(String useCompiler, String tiered, String stopAtLevel, String compilationMode) {
        if ("false".equals(useCompiler)) {
            return "the JIT compiler is disabled (-XX:-UseCompiler)";
        }
        if ("quick-only".equals(compilationMode)) {
            return "C2 is disabled (-XX:CompilationMode=quick-only)";
        }
        int stopAt = Integer.parseInt(stopAtLevel);
        if ("true".equals(tiered) && stopAt < 4) {
            return "C2 is disabled (-XX:TieredStopAtLevel=" + stopAt + ")";
        }
        return null;
    }

    /** The same checks on the JVM's own arguments (the last occurrence of a flag wins). */
    public static String c2ProblemFromCommandLine(String[] args) {
        String useCompiler = "true";
        String tiered = "true";
        String stopAt = "4";
        String mode = "default";
        for (String arg : args) {
            switch (arg) {
                case "-XX:-UseCompiler" -> useCompiler = "false";
                case "-XX:+UseCompiler" -> useCompiler = "true";
                case "-XX:-TieredCompilation" -> tiered = "false";
                case "-XX:+TieredCompilation" -> tiered = "true";
                default -> {
                    if (arg.startsWith("-XX:TieredStopAtLevel=")) {
                        stopAt = arg.substring("-XX:TieredStopAtLevel=".length());
                    } else if (arg.startsWith("-XX:CompilationMode=")) {
                        mode = arg.substring("-XX:CompilationMode=".length());
                    }
                }
            }
        }
        try {
            return c2Problem(useCompiler, tiered, stopAt, mode);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The vector provider cannot run here; the message says why. */
    private static final class UnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnavailableException(String reason) {
            super(reason, null, false, false);
        }
    }
}
