package dev.lanes.serve;

import dev.lanes.nn.BatchNorm2d;
import dev.lanes.nn.Layer;
import dev.lanes.tensor.Tensor;
import java.util.Map;

/**
 * What freezing refuses in a module's tensors. A plan copies its weights once and never changes
 * them, so one NaN or infinity in a weight, or a negative running variance (whose square root
 * is NaN), would make every answer of every session NaN; freezing names the tensor instead.
 */
final class FreezeChecks {

    private FreezeChecks() {
    }

    /**
     * Every element of every tensor is finite.
     *
     * @param op      the operation, first in the message
     * @param tensors tensors by state-dict name
     * @param toFloat whether the values are rounded to float when frozen: then a value beyond
     *                the float range, which rounds to an infinity, is refused too
     * @throws IllegalArgumentException naming the tensor, the first bad element and its value
     */
    static void finite(String op, Map<String, Tensor> tensors, boolean toFloat) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            for (int i = 0; i < t.numel(); i++) {
                double v = t.getFlat(i);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(op + ": " + describe(e.getKey(), t, i) + " is " + v
                            + "; a plan cannot be frozen from non-finite weights");
                }
                if (toFloat && !Float.isFinite((float) v)) {
                    throw new IllegalArgumentException(op + ": " + describe(e.getKey(), t, i) + " is " + v
                            + ", beyond the float range of the frozen F32 copy");
                }
            }
        }
    }

    /**
     * Every batch norm in {@code module} (itself included) has a positive eps and running
     * variances >= 0 (NaN is refused too), when it keeps running statistics.
     *
     * @param op     the operation, first in the message
     * @param prefix the module's state-dict prefix ("" for the root, else ending in ".")
     * @throws IllegalArgumentException naming the batch norm or its {@code running_var}, the
     *                                  first bad element and its value
     */
    static void batchNorms(String op, String prefix, Layer module) {
        if (module instanceof BatchNorm2d bn) {
            String name = prefix.isEmpty() ? "batch norm" : prefix.substring(0, prefix.length() - 1);
            // BatchNorm2d refuses such an eps when it is made; the plan divides by
            // sqrt(running_var + eps), so it is checked here all the same.
            if (!(bn.eps() > 0)) {
                throw new IllegalArgumentException(op + ": " + name + " has eps " + bn.eps() + "; it must be > 0");
            }
            if (bn.runningVar() != null) {
                Tensor var = bn.runningVar().tensor();
                for (int i = 0; i < var.numel(); i++) {
                    double v = var.getFlat(i);
                    if (!(v >= 0)) {
                        throw new IllegalArgumentException(op + ": " + describe(prefix + "running_var", var, i)
                                + " is " + v + "; a variance must be >= 0");
                    }
                }
            }
        }
        for (Map.Entry<String, Layer> child : module.children().entrySet()) {
            batchNorms(op, prefix + child.getKey() + ".", child.getValue());
        }
    }

    /** @return "name [shape] element i" with the element's coordinates when the tensor has more than one dimension */
    private static String describe(String name, Tensor t, int flat) {
        int[] dims = t.shape().dims();
        StringBuilder s = new StringBuilder(name).append(' ').append(java.util.Arrays.toString(dims))
                .append(" element ").append(flat);
        if (dims.length > 1) {
            int[] index = new int[dims.length];
            int rest = flat;
            for (int d = dims.length - 1; d >= 0; d--) {
                index[d] = rest % dims[d];
                rest /= dims[d];
            }
            s.append(" (index ").append(java.util.Arrays.toString(index)).append(')');
        }
        return s.toString();
    }
}
