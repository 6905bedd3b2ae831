package dev.lanes.tensor.internal;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's tensor {@code repr} (print options at their defaults: precision 4, threshold 1000,
 * edge items 3, line width 80): one element format for the whole tensor — integers as
 * {@code 3.}, fixed {@code 0.1235}, or scientific {@code 1.2346e+08} when the non-zero finite
 * magnitudes span more than 1000x, exceed 1e8 or (fixed only) go below 1e-4 — values padded to
 * a common width, rows wrapped at 80 columns, large tensors summarised with {@code ...}.
 * Numbers are rounded half-even from their exact binary value, as Python's {@code format} does.
 */
public final class TensorFormat {

    private static final int PRECISION = 4;
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;
    private static final int LINE_WIDTH = 80;

    private final boolean intMode;
    private final boolean sciMode;
    private final int maxWidth;

    private TensorFormat(double[] values) {
        boolean ints = true;
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        int count = 0;
        for (double v : values) {
            if (Double.isFinite(v) && v != 0) {
                count++;
                min = Math.min(min, Math.abs(v));
                max = Math.max(max, Math.abs(v));
                ints &= v == Math.ceil(v);
            }
        }
        boolean sci = false;
        int width = 1;
        if (count == 0) {
            ints = true;
        } else {
            sci = max / min > 1000 || max > 1e8 || (!ints && min < 1e-4);
            for (double v : values) {
                if (Double.isFinite(v) && v != 0) {
                    int len = sci ? sci(v).length() : ints ? fixed(v, 0).length() + 1 : fixed(v, PRECISION).length();
                    width = Math.max(width, len);
                }
            }
        }
        this.intMode = ints;
        this.sciMode = sci;
        this.maxWidth = width;
    }

    public static String format(Tensor t) {
        String prefix = "tensor(";
        int indent = prefix.length();
        List<String> suffixes = new ArrayList<>();
        String body;
        if (t.numel() == 0) {
            if (t.rank() != 1) {
                suffixes.add("size=" + tuple(t.dims()));
            }
            body = "[]";
        } else {
            boolean summarize = t.numel() > THRESHOLD;
            TensorFormat f = new TensorFormat(summarize ? summarized(t) : t.toDoubleArray());
            body = f.tensor(t, 0, 0, indent, summarize);
        }
        if (t.dtype() == DType.F64) {
            suffixes.add("dtype=" + t.dtype().torchName());
        }
        if (Graph.producer(t) != null) {
            suffixes.add("grad_fn=<" + Graph.producer(t) + ">");
        } else if (t.requiresGrad()) {
            suffixes.add("requires_grad=True");
        }
        StringBuilder out = new StringBuilder(prefix).append(body);
        int lastLine = out.length() - out.lastIndexOf("\n") + 1; // as PyTorch counts it
        for (String s : suffixes) {
            if (lastLine + s.length() + 2 > LINE_WIDTH) {
                out.append(",\n").append(" ".repeat(indent)).append(s);
                lastLine = indent + s.length();
            } else {
                out.append(", ").append(s);
                lastLine += s.length() + 2;
            }
        }
        return out.append(')').toString();
    }

    private static String tuple(int[] dims) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            b.append(i > 0 ? ", " : "").append(dims[i]);
        }
        return b.append(dims.length == 1 ? ",)" : ")").toString();
    }

    /** The elements a summarised print shows: the first and last EDGE along every dimension. */
    private static double[] summarized(Tensor t) {
        List<Double> out = new ArrayList<>();
        collect(t, 0, 0, out);
        double[] v = new double[out.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = out.get(i);
        }
        return v;
    }

    private static void collect(Tensor t, int dim, int base, List<Double> out) {
        if (t.rank() == 0) {
            out.add(t.getFlat(0));
            return;
        }
        int n = t.size(dim);
        int stride = t.shape().strides()[dim];
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                i = n - EDGE;
            }
            if (dim == t.rank() - 1) {
                out.add(t.getFlat(base + i * stride));
            } else {
                collect(t, dim + 1, base + i * stride, out);
            }
        }
    }

    private String tensor(Tensor t, int dim, int base, int indent, boolean summarize) {
        if (t.rank() == 0) {
            return value(t.getFlat(0));
        }
        int n = t.size(dim);
        int stride = t.shape().strides()[dim];
        if (dim == t.rank() - 1) {
            List<String> data = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (summarize && n > 2 * EDGE && i == EDGE) {
                    data.add(" ...");
                    i = n - EDGE;
                }
                data.add(value(t.getFlat(base + i * stride)));
            }
            int perLine = Math.max(1, (LINE_WIDTH - indent) / (maxWidth + 2));
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < data.size(); i++) {
                if (i > 0) {
                    b.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
                }
                b.append(data.get(i));
            }
            return b.append(']').toString();
        }
        int remaining = t.rank() - dim;
        String sep = "," + "\n".repeat(remaining - 1) + " ".repeat(indent + 1);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(sep);
            }
            if (summarize && n > 2 * EDGE && i == EDGE) {
                b.append("...").append(sep);
                i = n - EDGE;
            }
            b.append(tensor(t, dim + 1, base + i * stride, indent + 1, summarize));
        }
        return b.append(']').toString();
    }

    private String value(double v) {
        String s;
        if (Double.isNaN(v)) {
            s = "nan";
        } else if (Double.isInfinite(v)) {
            s = v > 0 ? "inf" : "-inf";
        } else if (sciMode) {
            s = sci(v);
        } else if (intMode) {
            s = fixed(v, 0) + ".";
        } else {
            s = fixed(v, PRECISION);
        }
        return s.length() >= maxWidth ? s : " ".repeat(maxWidth - s.length()) + s;
    }

    /** Python's {@code '{:.Nf}'.format(v)}. */
    private static String fixed(double v, int digits) {
        String s = new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        return (v < 0 || (v == 0 && 1 / v < 0)) && !s.startsWith("-") ? "-" + s : s;
    }

    /** Python's {@code '{:.4e}'.format(v)}: mantissa with 4 decimals, exponent signed, two digits at least. */
    private static String sci(double v) {
        if (v == 0) {
            return (1 / v < 0 ? "-" : "") + "0." + "0".repeat(PRECISION) + "e+00";
        }
        BigDecimal b = new BigDecimal(v).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
        int exp = b.precision() - b.scale() - 1;
        BigDecimal mant = b.movePointLeft(exp).setScale(PRECISION, RoundingMode.HALF_EVEN);
        String e = String.valueOf(Math.abs(exp));
        return mant.toPlainString() + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }
}
