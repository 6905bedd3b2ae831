package dev.lanes.autograd;

import static dev.lanes.autograd.Ops.add;
import static dev.lanes.autograd.Ops.cat;
import static dev.lanes.autograd.Ops.div;
import static dev.lanes.autograd.Ops.exp;
import static dev.lanes.autograd.Ops.linear;
import static dev.lanes.autograd.Ops.log;
import static dev.lanes.autograd.Ops.logSoftmax;
import static dev.lanes.autograd.Ops.matmul;
import static dev.lanes.autograd.Ops.max;
import static dev.lanes.autograd.Ops.mean;
import static dev.lanes.autograd.Ops.mul;
import static dev.lanes.autograd.Ops.narrow;
import static dev.lanes.autograd.Ops.neg;
import static dev.lanes.autograd.Ops.permute;
import static dev.lanes.autograd.Ops.pow;
import static dev.lanes.autograd.Ops.relu;
import static dev.lanes.autograd.Ops.reshape;
import static dev.lanes.autograd.Ops.sigmoid;
import static dev.lanes.autograd.Ops.slice;
import static dev.lanes.autograd.Ops.softmax;
import static dev.lanes.autograd.Ops.stack;
import static dev.lanes.autograd.Ops.sub;
import static dev.lanes.autograd.Ops.sum;
import static dev.lanes.autograd.Ops.tanh;
import static dev.lanes.autograd.Ops.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Values and gradients of composite expressions, and tensor printing, against fixtures written
 * by PyTorch 1.13 ({@code tools/golden/autograd_golden.py}): gradients match to 1e-12 in F64,
 * printed tensors character for character.
 */
class GoldenAutogradTest {

    record Case(String name, List<Tensor> inputs, int[] target, double loss, List<double[]> grads) {
    }

    static Tensor parse(String dimsField, String[] parts, int from, DType dtype) {
        int[] dims = dimsField.equals("-") ? new int[0] : parseInts(dimsField.split(","));
        double[] v = new double[parts.length - from];
        for (int i = from; i < parts.length; i++) {
            v[i - from] = switch (parts[i]) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(parts[i]);
            };
        }
        return dtype == DType.F64 ? Tensor.of(v, dims) : Tensor.of(v, dims).to(DType.F32);
    }

    static int[] parseInts(String[] s) {
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Integer.parseInt(s[i]);
        }
        return out;
    }

    static List<String> lines() throws IOException {
        try (InputStream in = GoldenAutogradTest.class.getResourceAsStream("/golden/autograd.txt")) {
            assertNotNull(in, "golden/autograd.txt is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return r.lines().filter(l -> !l.startsWith("#")).toList();
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        String name = null;
        List<Tensor> inputs = null;
        List<double[]> grads = null;
        int[] target = null;
        double loss = Double.NaN;
        for (String line : lines()) {
            String[] p = line.split(" ");
            switch (p[0]) {
                case "case" -> {
                    name = p[1];
                    inputs = new ArrayList<>();
                    grads = new ArrayList<>();
                    target = null;
                }
                case "input" -> inputs.add(parse(p[2], p, 3, DType.F64));
                case "target" -> target = parseInts(java.util.Arrays.copyOfRange(p, 1, p.length));
                case "loss" -> loss = Double.parseDouble(p[1]);
                case "grad" -> grads.add(parse(p[2], p, 3, DType.F64).toDoubleArray());
                case "end" -> out.add(new Case(name, inputs, target, loss, grads));
                default -> {
                }
            }
        }
        return out;
    }

    /** The generator's expressions, written with Lanes' operations. */
    static Tensor expression(String name, Tensor[] x, int[] target) {
        return switch (name) {
            case "mlp" -> sum(mul(sigmoid(matmul(tanh(linear(x[0], x[1], x[2])), transpose(x[3], 0, 1))), x[4]));
            case "broadcast" -> sum(mul(sum(sub(div(mul(x[0], x[1]), add(exp(x[1]), 1.0)), x[0]), false, 1), x[2]));
            case "softmax_cross_entropy" -> add(Losses.crossEntropy(x[0], target), sum(mul(logSoftmax(x[0], 0), x[1])));
            case "pow_log_mean" -> sum(mul(mean(add(log(pow(x[0], 2.5)), pow(x[0], -1.5)), true, 1), x[1]));
            case "max_slice_cat_stack" -> {
                Tensor c = cat(List.of(slice(x[0], 1, 1, 4, 2), max(x[0], 1, true).values()), 1);
                Tensor s = stack(List.of(c, transpose(c, 0, 1)), 0);
                yield sum(mul(reshape(permute(s, 2, 0, 1), 3, 6), x[1]));
            }
            case "batched_matmul_relu" -> sum(mul(relu(matmul(matmul(x[0], x[1]), x[2])), x[3]));
            case "mse_softmax" -> add(Losses.mse(softmax(x[0], 1), x[1]), Losses.mse(softmax(x[0], 0), x[1]));
            case "div_neg_sub_transpose" -> add(
                    sum(mul(div(neg(sub(x[0], x[1])), add(mul(x[1], x[1]), 1.0)), sum(transpose(x[2], 0, 1), false, 1))),
                    mean(pow(narrow(x[2], 1, 1, 2), 2)));
            default -> throw new AssertionError("unknown case " + name);
        };
    }

    @Test
    void compositeExpressionsMatchPyTorch() throws IOException {
        List<Case> cases = cases();
        assertEquals(8, cases.size(), "cases in the fixture");
        for (Case c : cases) {
            Tensor[] x = c.inputs().stream().map(t -> t.copy().requiresGrad(true)).toArray(Tensor[]::new);
            Tensor loss = expression(c.name(), x, c.target());
            assertEquals(c.loss(), loss.item(), 1e-12, c.name() + " loss");
            loss.backward();
            for (int i = 0; i < x.length; i++) {
                double[] want = c.grads().get(i);
                double[] got = x[i].grad().toDoubleArray();
                assertEquals(want.length, got.length, c.name() + " grad size of input " + i);
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], got[j], 1e-12, c.name() + " grad of input " + i + " at " + j);
                }
            }
        }
    }

    @Test
    void tensorsPrintLikePyTorch() throws IOException {
        int checked = 0;
        for (String line : lines()) {
            if (!line.startsWith("repr ")) {
                continue;
            }
            int bar = line.indexOf(" | ");
            String[] p = line.substring(0, bar).split(" ");
            String want = line.substring(bar + 3).replace("\\n", "\n");
            Tensor t = parse(p[4], p, 5, DType.valueOf(p[1]));
            if (p[2].equals("1")) {
                t.requiresGrad(true);
            }
            Tensor shown = p[3].equals("add") ? add(t, t) : t;
            assertEquals(want, shown.toString(), "repr of " + line.substring(0, Math.min(bar, 80)));
            checked++;
        }
        assertTrue(checked >= 15, "repr fixtures checked: " + checked);
    }
}
