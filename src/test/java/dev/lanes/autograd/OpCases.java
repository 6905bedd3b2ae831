package dev.lanes.autograd;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Every differentiable operation as a random test case: shapes built from 1 and small primes,
 * inputs drawn from the operation's smooth domain (away from relu's kink, log's pole, max's ties).
 */
final class OpCases {

    /** Sizes: 1 and primes. */
    static final int[] SIZES = {1, 2, 3, 5, 7};

    /** One instance: the F64 inputs (all requiring grad) and the function of them. */
    record Instance(String name, Tensor[] inputs, GradCheck.Function f, boolean usesGemm) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(name).append('(');
            for (int i = 0; i < inputs.length; i++) {
                b.append(i > 0 ? ", " : "").append(inputs[i].shape());
            }
            return b.append(')').toString();
        }
    }

    interface Maker {
        Instance make(Random r);
    }

    record Case(String name, Maker maker) {
        @Override
        public String toString() {
            return name;
        }
    }

    private OpCases() {
    }

    static int size(Random r) {
        return SIZES[r.nextInt(SIZES.length)];
    }

    static int[] shape(Random r, int minRank, int maxRank) {
        int rank = minRank + r.nextInt(maxRank - minRank + 1);
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            d[i] = size(r);
        }
        return d;
    }

    /** Values uniform in [lo, hi) with a random sign when {@code signed}. */
    static Tensor values(Random r, int[] dims, double lo, double hi, boolean signed) {
        Tensor t = Tensor.zeros(DType.F64, dims);
        for (int i = 0; i < t.numel(); i++) {
            double v = lo + (hi - lo) * r.nextDouble();
            t.setFlat(i, signed && r.nextBoolean() ? -v : v);
        }
        return t.requiresGrad(true);
    }

    static Tensor normal(Random r, int... dims) {
        return values(r, dims, 0, 2, true);
    }

    /** Distinct values at least 0.05 apart, shuffled (no ties for max). */
    static Tensor distinct(Random r, int... dims) {
        Tensor t = Tensor.zeros(DType.F64, dims);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < t.numel(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, r);
        for (int i = 0; i < t.numel(); i++) {
            t.setFlat(i, order.get(i) * 0.05 - 1 + r.nextDouble() * 0.01);
        }
        return t.requiresGrad(true);
    }

    /** A shape that broadcasts against {@code dims}: leading dimensions dropped, some sizes 1. */
    static int[] broadcastable(Random r, int[] dims) {
        int drop = r.nextInt(dims.length + 1);
        int[] out = new int[dims.length - drop];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.nextInt(3) == 0 ? 1 : dims[drop + i];
        }
        return out;
    }

    static Instance one(String name, Tensor x, GradCheck.Function f) {
        return new Instance(name, new Tensor[] {x}, f, false);
    }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("add", r -> binary(r, "add", Ops::add, false)));
        c.add(new Case("sub", r -> binary(r, "sub", Ops::sub, false)));
        c.add(new Case("mul", r -> binary(r, "mul", Ops::mul, false)));
        c.add(new Case("div", r -> binary(r, "div", Ops::div, true)));
        c.add(new Case("neg", r -> one("neg", normal(r, shape(r, 0, 3)), x -> Ops.neg(x[0]))));
        c.add(new Case("sigmoid", r -> one("sigmoid", values(r, shape(r, 0, 3), 0, 6, true), x -> Ops.sigmoid(x[0]))));
        c.add(new Case("tanh", r -> one("tanh", values(r, shape(r, 0, 3), 0, 3, true), x -> Ops.tanh(x[0]))));
        c.add(new Case("relu", r -> one("relu", values(r, shape(r, 0, 3), 0.05, 2, true), x -> Ops.relu(x[0]))));
        c.add(new Case("exp", r -> one("exp", values(r, shape(r, 0, 3), 0, 2, true), x -> Ops.exp(x[0]))));
        c.add(new Case("log", r -> one("log", values(r, shape(r, 0, 3), 0.3, 3, false), x -> Ops.log(x[0]))));
        c.add(new Case("pow", r -> {
            double p = new double[] {2, 3, 0.5, -1.5, 2.5, 0}[r.nextInt(6)];
            return one("pow " + p, values(r, shape(r, 0, 3), 0.4, 2, false), x -> Ops.pow(x[0], p));
        }));
        c.add(new Case("matmul", OpCases::matmul));
        c.add(new Case("linear", r -> {
            int in = size(r);
            int out = size(r);
            boolean bias = r.nextBoolean();
            int[] xd = r.nextBoolean() ? new int[] {size(r), in} : new int[] {size(r), size(r), in};
            Tensor[] t = bias ? new Tensor[] {normal(r, xd), normal(r, out, in), normal(r, out)}
                    : new Tensor[] {normal(r, xd), normal(r, out, in)};
            return new Instance("linear", t, x -> Ops.linear(x[0], x[1], bias ? x[2] : null), true);
        }));
        c.add(new Case("embedding", r -> {
            int count = size(r);
            int[] idShape = shape(r, 1, 2);
            Tensor ids = Tensor.zeros(r.nextBoolean() ? DType.F32 : DType.F64, idShape);
            for (int i = 0; i < ids.numel(); i++) {
                ids.setFlat(i, r.nextInt(count));
            }
            Tensor[] t = {normal(r, count, size(r))};
            return new Instance("embedding " + ids.shape(), t, x -> Ops.embedding(ids, x[0]), false);
        }));
        c.add(new Case("sum", r -> reduce(r, false)));
        c.add(new Case("mean", r -> reduce(r, true)));
        c.add(new Case("max", r -> {
            int[] d = shape(r, 1, 3);
            int dim = r.nextInt(d.length) - (r.nextBoolean() ? d.length : 0);
            boolean keep = r.nextBoolean();
            return one("max dim " + dim + (keep ? " keepdim" : ""), distinct(r, d),
                    x -> Ops.max(x[0], dim, keep).values());
        }));
        c.add(new Case("reshape", r -> {
            int[] d = shape(r, 1, 3);
            int n = 1;
            for (int v : d) {
                n *= v;
            }
            int[] to = r.nextBoolean() ? new int[] {n} : new int[] {-1, 1};
            return one("reshape", normal(r, d), x -> Ops.reshape(x[0], to));
        }));
        c.add(new Case("transpose", r -> {
            int[] d = shape(r, 2, 3);
            int a = r.nextInt(d.length);
            int b = r.nextInt(d.length);
            return one("transpose " + a + " " + b, normal(r, d), x -> Ops.transpose(x[0], a, b));
        }));
        c.add(new Case("permute", r -> {
            int[] d = shape(r, 1, 4);
            List<Integer> p = new ArrayList<>();
            for (int i = 0; i < d.length; i++) {
                p.add(i);
            }
            java.util.Collections.shuffle(p, r);
            int[] perm = p.stream().mapToInt(Integer::intValue).toArray();
            return one("permute", normal(r, d), x -> Ops.permute(x[0], perm));
        }));
        c.add(new Case("slice", r -> {
            int[] d = shape(r, 1, 3);
            int dim = r.nextInt(d.length);
            int start = r.nextInt(2 * d[dim] + 1) - d[dim];
            int end = r.nextInt(2 * d[dim] + 3) - d[dim] - 1;
            int step = 1 + r.nextInt(3);
            return one("slice " + dim + " " + start + ":" + end + ":" + step, normal(r, d),
                    x -> Ops.slice(x[0], dim, start, end, step));
        }));
        c.add(new Case("narrow", r -> {
            int[] d = shape(r, 1, 3);
            int dim = r.nextInt(d.length);
            int start = r.nextInt(d[dim]);
            int len = r.nextInt(d[dim] - start + 1);
            return one("narrow", normal(r, d), x -> Ops.narrow(x[0], dim, start, len));
        }));
        c.add(new Case("cat", r -> {
            int[] d = shape(r, 1, 3);
            int dim = r.nextInt(d.length);
            int k = 1 + r.nextInt(3);
            Tensor[] t = new Tensor[k];
            for (int i = 0; i < k; i++) {
                int[] di = d.clone();
                di[dim] = size(r);
                t[i] = normal(r, di);
            }
            return new Instance("cat dim " + dim, t, x -> Ops.cat(List.of(x), dim), false);
        }));
        c.add(new Case("subsamplePadChannels", r -> {
            int[] d = {size(r), size(r), size(r), size(r)};
            int stride = 1 + r.nextInt(3);
            int before = r.nextInt(3);
            int after = r.nextInt(3);
            return one("subsamplePadChannels stride " + stride + " pad " + before + "/" + after, normal(r, d),
                    x -> Ops.subsamplePadChannels(x[0], stride, before, after));
        }));
        c.add(new Case("stack", r -> {
            int[] d = shape(r, 0, 2);
            int dim = r.nextInt(d.length + 1);
            int k = 1 + r.nextInt(3);
            Tensor[] t = new Tensor[k];
            for (int i = 0; i < k; i++) {
                t[i] = normal(r, d);
            }
            return new Instance("stack dim " + dim, t, x -> Ops.stack(List.of(x), dim), false);
        }));
        c.add(new Case("softmax", r -> softmax(r, false)));
        c.add(new Case("logSoftmax", r -> softmax(r, true)));
        c.add(new Case("crossEntropy", r -> {
            int n = size(r);
            int classes = 1 + size(r);
            int[] target = new int[n];
            for (int i = 0; i < n; i++) {
                target[i] = r.nextInt(classes);
            }
            return one("crossEntropy", values(r, new int[] {n, classes}, 0, 3, true),
                    x -> Losses.crossEntropy(x[0], target));
        }));
        c.add(new Case("mse", r -> {
            int[] d = shape(r, 1, 3);
            return new Instance("mse", new Tensor[] {normal(r, d), normal(r, d)}, x -> Losses.mse(x[0], x[1]), false);
        }));
        return c;
    }

    static Instance binary(Random r, String name, java.util.function.BinaryOperator<Tensor> op, boolean positiveB) {
        int[] d = shape(r, 0, 3);
        int[] e = broadcastable(r, d);
        boolean swap = r.nextBoolean();
        Tensor a = normal(r, swap ? e : d);
        Tensor b = positiveB ? values(r, swap ? d : e, 0.5, 2, true) : normal(r, swap ? d : e);
        return new Instance(name, new Tensor[] {a, b}, x -> op.apply(x[0], x[1]), false);
    }

    static Instance matmul(Random r) {
        int n = size(r);
        int k = size(r);
        int m = size(r);
        int batch = size(r);
        int[][] shapes = switch (r.nextInt(7)) {
            case 0 -> new int[][] {{n, k}, {k, m}};
            case 1 -> new int[][] {{k}, {k, m}};
            case 2 -> new int[][] {{n, k}, {k}};
            case 3 -> new int[][] {{k}, {k}};
            case 4 -> new int[][] {{batch, n, k}, {k, m}};
            case 5 -> new int[][] {{batch, n, k}, {1, k, m}};
            default -> new int[][] {{n, k}, {batch, k, m}};
        };
        return new Instance("matmul", new Tensor[] {normal(r, shapes[0]), normal(r, shapes[1])},
                x -> Ops.matmul(x[0], x[1]), true);
    }

    static Instance reduce(Random r, boolean mean) {
        int[] d = shape(r, 0, 3);
        String name = mean ? "mean" : "sum";
        if (d.length == 0 || r.nextInt(3) == 0) {
            return one(name, normal(r, d), x -> mean ? Ops.mean(x[0]) : Ops.sum(x[0]));
        }
        int dim = r.nextInt(d.length);
        int[] dims = d.length > 1 && r.nextBoolean() ? new int[] {dim, (dim + 1) % d.length - d.length} : new int[] {dim};
        boolean keep = r.nextBoolean();
        return one(name + " dims " + java.util.Arrays.toString(dims) + (keep ? " keepdim" : ""), normal(r, d),
                x -> mean ? Ops.mean(x[0], keep, dims) : Ops.sum(x[0], keep, dims));
    }

    static Instance softmax(Random r, boolean log) {
        int[] d = shape(r, 1, 3);
        int dim = r.nextInt(d.length);
        return one((log ? "logSoftmax" : "softmax") + " dim " + dim, values(r, d, 0, 3, true),
                x -> log ? Ops.logSoftmax(x[0], dim) : Ops.softmax(x[0], dim));
    }
}
