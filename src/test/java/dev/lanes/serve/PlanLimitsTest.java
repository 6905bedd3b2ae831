package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.nn.Conv2d;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What freezing and making sessions refuse: sizes whose buffers do not fit in an array (checked
 * before anything large is allocated).
 */
class PlanLimitsTest {

    private static ResNet cifar(Shortcut shortcut) {
        return ResNets.cifar(8, 3, 10, shortcut, true, DType.F32, new Generator(41));
    }

    private static String refused(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected \"" + part + "\" in: " + message);
        }
    }

    @Test
    void imagesLargerThanAnArrayAreRefusedAtFreeze() {
        ResNet net = cifar(Shortcut.ZERO_PAD);
        assertContains(refused(() -> ResNetPlan.freeze(net, 3, 50_000, 50_000)), "ResNetPlan.freeze",
                "7500000000 floats per image (3 x 50000 x 50000)", "more than an array holds (2147483639)");
        assertContains(refused(() -> ResNetPlan.freeze(net, 3, Integer.MAX_VALUE, Integer.MAX_VALUE)),
                "13835058042397261827 floats per image (3 x 2147483647 x 2147483647)");
    }

    @Test
    void aFeatureMapLargerThanAnArrayIsRefusedAtFreezeNamingTheLayer() {
        // The image fits (1.2e9 floats), the 16 channels the stem makes of it do not.
        assertContains(refused(() -> ResNetPlan.freeze(cifar(Shortcut.ZERO_PAD), 3, 20_000, 20_000)),
                "ResNetPlan.freeze: conv1", "6400000000 floats of output (16 x 20000 x 20000)");
    }

    @Test
    void aConvolutionBufferLargerThanAnArrayIsRefused() {
        // Input and output of 46340 x 46340 fit; the input with its two padding rows does not.
        Conv2d conv = new Conv2d(1, 1, 3, 1, 1, false, new Generator(1));
        assertContains(refused(() -> FrozenConv.fold("c", conv, null, 46_340, 46_340)), "ResNetPlan.freeze: c",
                "padded input of 1 x 46340 x 46340 floats per group (padding 1 x 1, stride 1 x 1)",
                "more than an array holds");
    }

    @Test
    void sessionsWhoseBuffersDoNotFitAreRefused() {
        ResNetPlan plan = ResNetPlan.freeze(cifar(Shortcut.ZERO_PAD), 3, 32, 32);
        assertContains(refused(() -> plan.session(Integer.MAX_VALUE)), "ResNetPlan.session",
                "6597069763584 floats of input (2147483647 x 3072)", "more than an array holds (2147483639)");
        assertContains(refused(() -> plan.session(699_051)), "2147484672 floats of input (699051 x 3072)");
        assertContains(refused(() -> plan.session(-1)), "ResNetPlan.session: batch must be >= 1, got -1");
        assertEquals(3, plan.session(3).batch());

        RecurrentPlan lstm = RecurrentPlan.freeze(new LSTMCell(1, 7, new Generator(2)));
        // The input (1e8 floats) fits, the gates (4 x 7 per stream) do not.
        assertContains(refused(() -> lstm.session(100_000_000)), "RecurrentPlan.session: LSTMCell.session",
                "2800000000 elements of gate scratch (100000000 x 4 x 7)");
        assertContains(refused(() -> lstm.session(Integer.MAX_VALUE)), "RecurrentPlan.session",
                "2147483647 elements of input (2147483647 x 1)");
        assertContains(refused(() -> lstm.session(0)), "RecurrentPlan.session: LSTMCell.session: batch must be >= 1, got 0");
    }
}
