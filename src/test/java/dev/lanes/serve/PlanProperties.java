package dev.lanes.serve;

import dev.lanes.autograd.Ops;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Plans of random feed-forward models reproduce the module's eval outputs in F64 within float
 * rounding: random depths, widths, batches, activations, biases, scalar and broadcast constants
 * (trailing vectors that repeat, columns that expand) on either side of arithmetic operations,
 * and softmax heads.
 */
class PlanProperties {

    /** A random stack of linear layers, each followed by a random elementwise tail. */
    static final class RandomNet extends Layer {
        private final List<Linear> layers = new ArrayList<>();
        private final int[] tails;
        private final int head;

        RandomNet(SplittableRandom r, int batch, int features) {
            int depth = 1 + r.nextInt(4);
            tails = new int[depth];
            int in = features;
            for (int i = 0; i < depth; i++) {
                int out = 1 + r.nextInt(33);
                layers.add(registerModule("l" + i, new Linear(in, out, r.nextBoolean(), DType.F32,
                        new Generator(r.nextLong()))));
                tails[i] = r.nextInt(12);
                if (tails[i] == 11) {
                    Tensor column = Tensor.zeros(DType.F32, batch, 1);
                    for (int n = 0; n < batch; n++) {
                        column.setFlat(n, r.nextDouble() - 0.5);
                    }
                    registerBuffer("column" + i, column);
                }
                if (tails[i] == 10) {
                    Tensor offset = Tensor.zeros(DType.F32, out);
                    for (int c = 0; c < out; c++) {
                        offset.setFlat(c, r.nextDouble() - 0.5);
                    }
                    registerBuffer("offset" + i, offset);
                }
                in = out;
            }
            head = r.nextInt(3);
        }

        @Override
        public Tensor forward(Tensor x) {
            for (int i = 0; i < layers.size(); i++) {
                x = layers.get(i).forward(x);
                x = switch (tails[i]) {
                    case 0 -> Ops.relu(x);
                    case 1 -> Ops.sigmoid(x);
                    case 2 -> Ops.tanh(x);
                    case 3 -> Ops.gelu(x);
                    case 4 -> Ops.gelu(x, "tanh");
                    case 5 -> Ops.silu(x);
                    case 6 -> Ops.add(Ops.mul(x, 0.75), -0.125);
                    case 7 -> Ops.sub(Tensor.scalar(x.dtype(), 1.5), x);
                    case 8 -> Ops.div(x, Tensor.scalar(x.dtype(), 2.0));
                    case 9 -> Ops.neg(x);
                    case 10 -> Ops.mul(namedBuffers().get("offset" + i), Ops.add(x, namedBuffers().get("offset" + i)));
                    default -> Ops.sub(namedBuffers().get("column" + i), x);
                };
            }
            return switch (head) {
                case 0 -> Ops.softmax(x, -1);
                case 1 -> Ops.logSoftmax(x, 1);
                default -> x;
            };
        }
    }

    @Property(tries = 150)
    void plansOfRandomNetsComputeTheModulesEvalFunction(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int features = 1 + r.nextInt(40);
        int batch = 1 + r.nextInt(6);
        RandomNet net = new RandomNet(r, batch, features);
        float[] x = PlanCaptureTest.values(seed, batch * features);
        float[] got = Plan.capture(net, Tensor.of(x, batch, features)).session().run(x).clone();
        PlanCaptureTest.assertClose(PlanCaptureTest.evalF64(net, x, batch, features), got, "seed " + seed);
    }
}
