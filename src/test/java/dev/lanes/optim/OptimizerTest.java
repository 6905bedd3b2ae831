package dev.lanes.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Optimizer argument checks, and state that saves and restores to continue bit for bit. */
class OptimizerTest {

    static List<Tensor> params() {
        return List.of(Tensor.ones(DType.F32, 3).requiresGrad(true));
    }

    static void rejects(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void hyperparametersAreValidated() {
        rejects("SGD: invalid lr value: -0.1 (must be finite and >= 0)", () -> new SGD(params(), -0.1));
        rejects("SGD: Nesterov momentum requires a momentum and zero dampening",
                () -> new SGD(params(), 0.1, 0, 0, 0, true));
        rejects("Adam: invalid beta parameter at index 1 value: 1.0 (must be in [0.0, 1.0))",
                () -> new Adam(params(), 0.1, 0.9, 1.0, 1e-8, 0, false));
        rejects("Adadelta: invalid rho value: 1.5 (must be in [0, 1])", () -> new Adadelta(params(), 1, 1.5, 1e-6, 0));
        rejects("RMSprop: invalid eps value: NaN (must be finite and >= 0)",
                () -> new RMSprop(params(), 0.01, 0.99, Double.NaN, 0, 0, false));
        rejects("SGD: parameter 0 (shape [2]) is not a leaf that requires grad",
                () -> new SGD(List.of(Tensor.zeros(DType.F32, 2)), 0.1));
        rejects("SGD: got an empty parameter list", () -> new SGD(List.of(), 0.1));
        rejects("StepLR: step_size must be > 0, got 0", () -> Schedules.step(new SGD(params(), 0.1), 0, 0.5));
    }

    @Test
    void stateRestoresExactly() {
        for (String kind : List.of("sgd", "adam", "rmsprop", "adagrad", "adadelta")) {
            Generator gen = new Generator(11);
            Tensor[] grads = new Tensor[6];
            for (int i = 0; i < 6; i++) {
                grads[i] = Tensor.randn(gen, DType.F32, 5);
            }
            Tensor a = Tensor.randn(new Generator(3), DType.F32, 5).requiresGrad(true);
            Optimizer oa = make(kind, a);
            Map<String, Tensor> saved = null;
            float[] atThree = null;
            for (int s = 0; s < 6; s++) {
                OptimizerProperties.setGrad(a, grads[s]);
                oa.step();
                if (s == 2) {
                    saved = oa.stateDict();
                    atThree = a.toFloatArray();
                }
            }
            Tensor b = Tensor.of(atThree, 5).requiresGrad(true);
            Optimizer ob = make(kind, b);
            ob.loadStateDict(saved);
            for (int s = 3; s < 6; s++) {
                OptimizerProperties.setGrad(b, grads[s]);
                ob.step();
            }
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), kind);
        }
    }

    static Optimizer make(String kind, Tensor p) {
        return switch (kind) {
            case "sgd" -> new SGD(List.of(p), 0.1, 0.9, 0, 0.01, true);
            case "adam" -> new Adam(List.of(p), 0.01, 0.9, 0.999, 1e-8, 0, true);
            case "rmsprop" -> new RMSprop(List.of(p), 0.01, 0.99, 1e-8, 0, 0.9, true);
            case "adagrad" -> new Adagrad(List.of(p), 0.1, 0.01, 0, 0.1, 1e-10);
            default -> new Adadelta(List.of(p));
        };
    }
}
