package dev.lanes.bench;

import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.ElementwiseKernels;
import dev.lanes.kernel.internal.Providers;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activations called from one long-running loop in {@code main}, the way application code
 * calls them (HotSpot compiles the loop on-stack, inlining everything it can), outside JMH's
 * harness: the best of 200 batches of 5 calls, in ns per element. Shows whether
 * {@code VectorOperators.TANH/EXP} keep their SVML intrinsic in such a compilation.
 *
 * <p>Run: {@code ./mvnw -q -Pbench test-compile} then, with a JDK 25 {@code java},
 * {@code java --add-modules jdk.incubator.vector
 * -cp target/classes:target/test-classes dev.lanes.bench.ActivationLoopProbe 65536}.
 */
public final class ActivationLoopProbe {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private ActivationLoopProbe() {
    }

    /** @param args the element count (default 65536) */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
        float[] x = new float[n];
        float[] y = new float[n];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-10, 10);
        }
        ElementwiseKernels lanes = Providers.vector().orElseThrow().elementwise();
        String[] names = {"Math tanh", "Lanes vector tanh", "VectorOperators.TANH", "Math exp", "Lanes vector exp",
            "VectorOperators.EXP"};
        double[] best = new double[names.length];
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < names.length; k++) {
                long fastest = Long.MAX_VALUE;
                for (int rep = 0; rep < 200; rep++) {
                    long t0 = System.nanoTime();
                    for (int q = 0; q < 5; q++) {
                        switch (k) {
                            case 0 -> {
                                for (int i = 0; i < n; i++) {
                                    y[i] = (float) Math.tanh(x[i]);
                                }
                            }
                            case 1 -> lanes.activate(Activation.TANH, x, 0, y, 0, n);
                            case 2 -> jdkTanh(x, y);
                            case 3 -> {
                                for (int i = 0; i < n; i++) {
                                    y[i] = (float) Math.exp(x[i]);
                                }
                            }
                            case 4 -> lanes.activate(Activation.EXP, x, 0, y, 0, n);
                            default -> jdkExp(x, y);
                        }
                    }
                    fastest = Math.min(fastest, System.nanoTime() - t0);
                }
                best[k] = fastest / 5.0 / n;
            }
        }
        for (int k = 0; k < names.length; k++) {
            System.out.printf("%-22s %7.3f ns/element%n", names[k], best[k]);
        }
        System.out.println("checksum " + y[n / 2]);
    }

    private static void jdkTanh(float[] x, float[] y) {
        for (int i = 0; i <= x.length - S.length(); i += S.length()) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.TANH).intoArray(y, i);
        }
    }

    private static void jdkExp(float[] x, float[] y) {
        for (int i = 0; i <= x.length - S.length(); i += S.length()) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(y, i);
        }
    }
}
