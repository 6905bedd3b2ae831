package dev.lanes.nn;

import dev.lanes.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state-dict translation of a recurrent layer that keeps one bias per gate where PyTorch
 * keeps two ({@code bias_ih} and {@code bias_hh}, which only ever appear as their sum in the
 * RNN and LSTM equations). Export writes the bias as {@code bias_ih} and zeros as
 * {@code bias_hh}, so PyTorch computes the same outputs; import adds PyTorch's two (in double,
 * then rounded once to the parameter's type).
 *
 * @param slot the parameter's name in the module
 * @param ih   PyTorch's input-side bias name
 * @param hh   PyTorch's hidden-side bias name
 */
record SummedBias(String slot, String ih, String hh) {

    /** @return {@code own} with each summed bias replaced by its two PyTorch entries, in place */
    static Map<String, Tensor> export(Map<String, Tensor> own, List<SummedBias> biases) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            SummedBias b = find(biases, e.getKey());
            if (b == null) {
                out.put(e.getKey(), e.getValue());
            } else {
                out.put(b.ih, e.getValue());
                out.put(b.hh, Tensor.zeros(e.getValue().dtype(), e.getValue().shape()));
            }
        }
        return out;
    }

    /**
     * @return {@code given} (PyTorch names) with each pair of biases replaced by their sum under
     *         the slot's name; a pair with one half missing is a problem
     */
    static Map<String, Tensor> importState(Map<String, Tensor> given, List<SummedBias> biases, String prefix,
                                           List<String> problems) {
        Map<String, Tensor> out = new LinkedHashMap<>(given);
        for (SummedBias b : biases) {
            Tensor ih = out.remove(b.ih);
            Tensor hh = out.remove(b.hh);
            if (ih == null && hh == null) {
                continue;
            }
            if (ih == null || hh == null) {
                problems.add("'" + prefix + (ih == null ? b.ih : b.hh) + "' is missing; the bias '" + prefix + b.slot
                        + "' is the sum of '" + prefix + b.ih + "' and '" + prefix + b.hh + "'");
            } else if (!ih.shape().equals(hh.shape())) {
                problems.add("'" + prefix + b.ih + "' has shape " + ih.shape() + " but '" + prefix + b.hh + "' has "
                        + hh.shape());
            } else {
                double[] sum = ih.toDoubleArray();
                double[] other = hh.toDoubleArray();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += other[i];
                }
                out.put(b.slot, Tensor.of(sum, ih.dims()));
            }
        }
        return out;
    }

    private static SummedBias find(List<SummedBias> biases, String slot) {
        for (SummedBias b : biases) {
            if (b.slot.equals(slot)) {
                return b;
            }
        }
        return null;
    }
}
