package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Hostile inputs to plans, seeded: lengths around the right one, and values drawn from every
 * float bit pattern (NaN, infinities, subnormals, huge values). A call either returns an output
 * of the right length, with every element finite unless the input held a non-finite value or a
 * value large enough to overflow, or throws {@link IllegalArgumentException} for a wrong length
 * or (under REJECT) a non-finite value; a rejected call leaves the session usable and its state
 * unchanged.
 */
class PlanInputProperties {

    private static final ResNetPlan RESNET = ResNetPlan.freeze(
            ResNets.cifar(8, 2, 5, Shortcut.ZERO_PAD, true, DType.F32, new Generator(1)), 2, 6, 6);
    private static final ResNetPlan RESNET_STRICT = ResNetPlan.freeze(
            ResNets.cifar(8, 2, 5, Shortcut.ZERO_PAD, true, DType.F32, new Generator(1)), 2, 6, 6,
            NonFinitePolicy.REJECT);
    private static final RecurrentPlan LSTM_STRICT = RecurrentPlan.freeze(new LSTMCell(5, 7, new Generator(2)),
            NonFinitePolicy.REJECT);

    /** Mostly ordinary values, with a few arbitrary bit patterns mixed in. */
    static float[] hostile(Random r, int n) {
        float[] x = new float[n];
        int oddOnes = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < oddOnes && n > 0; i++) {
            x[r.nextInt(n)] = Float.intBitsToFloat(r.nextInt());
        }
        return x;
    }

    private static int length(Random r, int right) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(2 * right + 2);
            default -> right;
        };
    }

    private static boolean allFinite(float[] x) {
        for (float v : x) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allModest(float[] x) {
        for (float v : x) {
            if (!(Math.abs(v) < 1e6f)) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 200)
    void resnetSessionsReturnLogitsOrNameTheProblem(@ForAll long seed) {
        Random r = new Random(seed);
        int right = 2 * RESNET.imageSize();
        float[] x = hostile(r, length(r, right));
        ResNetSession loose = RESNET.session(2);
        ResNetSession strict = RESNET_STRICT.session(2);
        if (x.length != right) {
            for (ResNetSession s : new ResNetSession[] {loose, strict}) {
                try {
                    s.run(x);
                    fail("accepted " + x.length + " floats");
                } catch (IllegalArgumentException e) {
                    assertTrue(e.getMessage().contains("expected " + right + " floats [2, 2, 6, 6], got " + x.length),
                            e.getMessage());
                }
            }
            return;
        }
        float[] logits = loose.run(x).clone();
        assertEquals(10, logits.length);
        if (allModest(x)) {
            assertTrue(allFinite(logits), "finite inputs gave " + java.util.Arrays.toString(logits));
        }
        try {
            float[] strictLogits = strict.run(x);
            assertTrue(allFinite(x), "REJECT accepted a non-finite input");
            assertEquals(java.util.Arrays.toString(logits), java.util.Arrays.toString(strictLogits));
        } catch (IllegalArgumentException e) {
            assertTrue(!allFinite(x) && e.getMessage().contains("rejects non-finite inputs"), e.getMessage());
        }
    }

    @Property(tries = 300)
    void recurrentSessionsStepOrNameTheProblemAndKeepTheirState(@ForAll long seed) {
        Random r = new Random(seed);
        RecurrentSession s = LSTM_STRICT.session(1);
        s.step(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f});
        float[] h = s.hidden().clone();
        float[] c = s.cellState().clone();
        float[] x = hostile(r, length(r, 5));
        try {
            float[] out = s.step(x);
            assertEquals(5, x.length);
            assertTrue(allFinite(x), "REJECT accepted a non-finite input");
            if (allModest(x)) {
                assertTrue(allFinite(out), "finite inputs gave " + java.util.Arrays.toString(out));
            }
        } catch (IllegalArgumentException e) {
            assertTrue(x.length != 5 || !allFinite(x), e.getMessage());
            assertEquals(java.util.Arrays.toString(h), java.util.Arrays.toString(s.hidden()));
            assertEquals(java.util.Arrays.toString(c), java.util.Arrays.toString(s.cellState()));
        }
    }
}
