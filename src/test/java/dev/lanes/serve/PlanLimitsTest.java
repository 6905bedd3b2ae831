package dev.lanes.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.nn.GRUCell;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What freezing and making sessions refuse: sizes whose buffers do not fit in an array (checked
 * before anything large is allocated), and weights that would make every answer NaN.
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
    void sessionsWhoseBuffersDoNotFitAreRefused() {
        ResNetPlan plan = ResNetPlan.freeze(cifar(Shortcut.ZERO_PAD), 3, 32, 32);
        assertContains(refused(() -> plan.session(Integer.MAX_VALUE)), "ResNetPlan.session",
                "6597069763584 floats of input (2147483647 x 3072)", "more than an array holds (2147483639)");
        assertContains(refused(() -> plan.session(699_051)), "2147484672 floats of input (699051 x 3072)");
        assertContains(refused(() -> plan.session(-1)), "ResNetPlan.session: batch must be >= 1, got -1");
        assertEquals(3, plan.session(3).batch());

        RecurrentPlan lstm = RecurrentPlan.freeze(new LSTMCell(1, 7, new Generator(2)));
        // The input (1e8 floats) fits, the gates (4 x 7 per stream) do not.
        assertContains(refused(() -> lstm.session(100_000_000)), "RecurrentPlan.session",
                "2800000000 floats of gates (100000000 x 4 x 7)");
        assertContains(refused(() -> lstm.session(Integer.MAX_VALUE)), "RecurrentPlan.session",
                "2147483647 floats of input (2147483647 x 1)");
        assertContains(refused(() -> lstm.session(0)), "RecurrentPlan.session: batch must be >= 1, got 0");
    }

    /** Freezes a fresh network after {@code edit} and returns the refusal's message. */
    private static String freezeAfter(Shortcut shortcut, Consumer<java.util.Map<String, Tensor>> edit) {
        ResNet net = cifar(shortcut);
        edit.accept(net.stateDict());
        return refused(() -> ResNetPlan.freeze(net, 3, 8, 8));
    }

    @Test
    void nonFiniteWeightsAndBuffersAreRefusedAtFreezeNamingTheTensor() {
        assertContains(freezeAfter(Shortcut.ZERO_PAD, s -> s.get("conv1.weight").setFlat(5, Double.NaN)),
                "ResNetPlan.freeze: conv1.weight [16, 3, 3, 3] element 5 (index [0, 0, 1, 2]) is NaN");
        assertContains(freezeAfter(Shortcut.ZERO_PAD, s -> s.get("fc.bias").setFlat(1, Double.POSITIVE_INFINITY)),
                "fc.bias [10] element 1 is Infinity");
        assertContains(freezeAfter(Shortcut.PROJECTION,
                s -> s.get("layer2.0.downsample.1.running_mean").setFlat(4, Double.NEGATIVE_INFINITY)),
                "layer2.0.downsample.1.running_mean [32] element 4 is -Infinity");
        assertContains(freezeAfter(Shortcut.ZERO_PAD, s -> s.get("layer3.0.bn2.weight").setFlat(0, Double.NaN)),
                "layer3.0.bn2.weight [64] element 0 is NaN");
    }

    @Test
    void invalidRunningVariancesAreRefusedAtFreezeNamingTheTensor() {
        assertContains(freezeAfter(Shortcut.ZERO_PAD, s -> s.get("layer1.0.bn1.running_var").setFlat(2, -0.5)),
                "ResNetPlan.freeze: layer1.0.bn1.running_var [16] element 2 is -0.5; a variance must be >= 0");
        assertContains(freezeAfter(Shortcut.ZERO_PAD, s -> s.get("bn1.running_var").setFlat(3, Double.NaN)),
                "bn1.running_var [16] element 3 is NaN");
        // Slightly negative, within eps: sqrt(var + eps) would still be a number, but not a variance.
        assertContains(freezeAfter(Shortcut.ZERO_PAD, s -> s.get("layer1.0.bn1.running_var").setFlat(0, -1e-7)),
                "layer1.0.bn1.running_var [16] element 0 is -1.0000000116860974E-7");
    }

    @Test
    void recurrentPlansRefuseNonFiniteWeightsNamingTheParameter() {
        LSTMCell lstm = new LSTMCell(5, 7, new Generator(3));
        lstm.namedParameters().get("weight_hh").setFlat(10, Double.NaN);
        assertContains(refused(() -> RecurrentPlan.freeze(lstm)),
                "RecurrentPlan.freeze: LSTMCell: weight_hh [28, 7] element 10 (index [1, 3]) is NaN");
        GRUCell gru = new GRUCell(5, 7, true, DType.F64, new Generator(3));
        gru.namedParameters().get("bias_hh").setFlat(20, 1e300);
        assertContains(refused(() -> RecurrentPlan.freeze(gru)),
                "RecurrentPlan.freeze: GRUCell: bias_hh [21] element 20 is 1.0E300, beyond the float range");
        GRUCell fine = new GRUCell(5, 7, true, DType.F64, new Generator(3));
        assertEquals(7, RecurrentPlan.freeze(fine).hiddenSize());
    }
}
