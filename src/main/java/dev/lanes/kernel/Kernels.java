package dev.lanes.kernel;

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
public final class Kernels {

    static final String VECTOR_PROVIDER = "dev.lanes.kernel.vector.VectorProvider";
    private static final System.Logger LOG = System.getLogger("dev.lanes.kernel");

    private Kernels() {
    }

    /** Holder-class idiom: the choice is made on first use, exactly once. */
    private static final class Holder {
        static final KernelProvider PROVIDER = choose();
    }

    /** @return the provider chosen for this JVM */
    public static KernelProvider provider() {
        return Holder.PROVIDER;
    }

    /** @return the scalar reference provider, always available */
    public static KernelProvider scalar() {
        return ScalarProvider.INSTANCE;
    }

    /**
     * Loads the vector provider regardless of the {@code lanes.kernels} setting.
     *
     * @return the vector provider, or empty when this JVM cannot run it
     */
    public static Optional<KernelProvider> vector() {
        try {
            return Optional.of(loadVector());
        } catch (UnavailableException e) {
            return Optional.empty();
        }
    }

    /**
     * Why the vector provider cannot run in this JVM.
     *
     * @return the reason, or empty if it can run
     */
    public static Optional<String> vectorUnavailableReason() {
        try {
            loadVector();
            return Optional.empty();
        } catch (UnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static KernelProvider choose() {
        String setting = System.getProperty("lanes.kernels", "auto").trim().toLowerCase(Locale.ROOT);
        switch (setting) {
            case "scalar" -> {
                LOG.log(System.Logger.Level.INFO, "Lanes kernels: scalar provider (forced by -Dlanes.kernels=scalar)");
                return scalar();
            }
            case "vector" -> {
                try {
                    return loadVector();
                } catch (UnavailableException e) {
                    throw new IllegalStateException("-Dlanes.kernels=vector, but the vector provider cannot run: "
                            + e.getMessage());
                }
            }
            case "auto", "" -> {
                try {
                    return loadVector();
                } catch (UnavailableException e) {
                    LOG.log(System.Logger.Level.WARNING, "Lanes kernels: scalar provider, because " + e.getMessage());
                    return scalar();
                }
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
        Module self = Kernels.class.getModule();
        if (!self.canRead(vectorModule.get())) {
            self.addReads(vectorModule.get());
        }
        String c2 = c2Problem();
        if (c2 != null) {
            throw new UnavailableException(c2);
        }
        try {
            Class<?> type = Class.forName(VECTOR_PROVIDER, true, Kernels.class.getClassLoader());
            return (KernelProvider) type.getField("INSTANCE").get(null);
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UnavailableException(cause.getMessage());
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
            if (bean == null) {
                return null;
            }
            if ("false".equals(bean.getVMOption("UseCompiler").getValue())) {
                return "the JIT compiler is disabled (-XX:-UseCompiler)";
            }
            boolean tiered = "true".equals(bean.getVMOption("TieredCompilation").getValue());
            int stopAt = Integer.parseInt(bean.getVMOption("TieredStopAtLevel").getValue());
            if (tiered && stopAt < 4) {
                return "C2 is disabled (-XX:TieredStopAtLevel=" + stopAt + ")";
            }
            return null;
        } catch (LinkageError | RuntimeException e) {
            // No management modules in this runtime image: assume a normal server VM.
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
