package dev.lanes.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code Ops.slice} with a step, on every dimension of a 2 x 3 x 4 x 5 tensor in both dtypes,
 * against indices written out: the forward pass picks {@code x[..., start + j step, ...]} and
 * the backward pass puts each gradient element back there, zero elsewhere. The last dimension
 * (runs of one element, copied by a strided loop of their own) is the option-A shortcut's case.
 */
class SliceTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void steppedSlicesPickAndScatterTheRightElements(DType dtype) {
        int[] dims = {2, 3, 4, 5};
        int n = 2 * 3 * 4 * 5;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = i + 1;
        }
        for (int dim = 0; dim < 4; dim++) {
            for (int step = 1; step <= 3; step++) {
                int start = dims[dim] > 2 ? 1 : 0;
                Tensor x = Tensor.of(values, dims).to(dtype).requiresGrad(true);
                Tensor y = Ops.slice(x, dim, start, dims[dim], step);
                int count = (dims[dim] - start + step - 1) / step;
                double[] want = new double[y.numel()];
                double[] wantGrad = new double[n];
                double[] seed = new double[y.numel()];
                int[] strides = {60, 20, 5, 1};
                int[] outDims = dims.clone();
                outDims[dim] = count;
                for (int o = 0; o < y.numel(); o++) {
                    // Output index -> coordinates -> input index with the sliced coordinate mapped.
                    int rest = o;
                    int at = 0;
                    for (int d = 3; d >= 0; d--) {
                        int c = rest % outDims[d];
                        rest /= outDims[d];
                        at += (d == dim ? start + c * step : c) * strides[d];
                    }
                    want[o] = values[at];
                    seed[o] = 1000 + o;
                    wantGrad[at] = seed[o];
                }
                String what = dtype + " dim " + dim + " step " + step;
                assertArrayEquals(want, y.toDoubleArray(), 0, what);
                y.backward(Tensor.of(seed, outDims).to(dtype));
                assertArrayEquals(wantGrad, x.grad().toDoubleArray(), 0, what + " gradient");
            }
        }
    }
}
