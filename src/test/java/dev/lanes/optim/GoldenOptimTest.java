package dev.lanes.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer and option against trajectories written by PyTorch 1.13
 * ({@code tools/golden/optim_golden.py}): six steps from fixed parameters with fixed gradients,
 * parameters matching to 1e-12 in F64 after each step.
 */
class GoldenOptimTest {

    static List<String> lines() throws IOException {
        try (InputStream in = GoldenOptimTest.class.getResourceAsStream("/golden/optim.txt")) {
            assertNotNull(in, "golden/optim.txt is missing");
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .filter(l -> !l.startsWith("#")).toList();
        }
    }

    static double[] numbers(String[] p, int from) {
        double[] v = new double[p.length - from];
        for (int i = from; i < p.length; i++) {
            v[i - from] = Double.parseDouble(p[i]);
        }
        return v;
    }

    /** The optimizer the fixture line describes, with PyTorch's defaults for what it leaves out. */
    static Optimizer make(String cls, Map<String, String> hp, List<Tensor> params) {
        String defaultLr = switch (cls) {
            case "Adagrad", "RMSprop" -> "0.01";
            case "Adadelta" -> "1.0";
            case "Adam", "AdamW" -> "0.001";
            default -> "required";
        };
        double lr = Double.parseDouble(hp.getOrDefault("lr", defaultLr));
        double wd = Double.parseDouble(hp.getOrDefault("weight_decay", cls.equals("AdamW") ? "0.01" : "0"));
        String[] betas = hp.getOrDefault("betas", "0.9,0.999").split(",");
        boolean amsgrad = Boolean.parseBoolean(hp.getOrDefault("amsgrad", "False").toLowerCase());
        return switch (cls) {
            case "SGD" -> new SGD(params, lr, Double.parseDouble(hp.getOrDefault("momentum", "0")),
                    Double.parseDouble(hp.getOrDefault("dampening", "0")), wd,
                    Boolean.parseBoolean(hp.getOrDefault("nesterov", "False").toLowerCase()));
            case "Adagrad" -> new Adagrad(params, lr, Double.parseDouble(hp.getOrDefault("lr_decay", "0")), wd,
                    Double.parseDouble(hp.getOrDefault("initial_accumulator_value", "0")),
                    Double.parseDouble(hp.getOrDefault("eps", "1e-10")));
            case "Adadelta" -> new Adadelta(params, lr, Double.parseDouble(hp.getOrDefault("rho", "0.9")),
                    Double.parseDouble(hp.getOrDefault("eps", "1e-6")), wd);
            case "RMSprop" -> new RMSprop(params, lr, Double.parseDouble(hp.getOrDefault("alpha", "0.99")),
                    Double.parseDouble(hp.getOrDefault("eps", "1e-8")), wd,
                    Double.parseDouble(hp.getOrDefault("momentum", "0")),
                    Boolean.parseBoolean(hp.getOrDefault("centered", "False").toLowerCase()));
            case "Adam" -> new Adam(params, lr, Double.parseDouble(betas[0]), Double.parseDouble(betas[1]),
                    Double.parseDouble(hp.getOrDefault("eps", "1e-8")), wd, amsgrad);
            case "AdamW" -> new AdamW(params, lr, Double.parseDouble(betas[0]), Double.parseDouble(betas[1]),
                    Double.parseDouble(hp.getOrDefault("eps", "1e-8")), wd, amsgrad);
            default -> throw new AssertionError("unknown optimizer " + cls);
        };
    }

    @Test
    void trajectoriesMatchPyTorch() throws IOException {
        Optimizer opt = null;
        List<Tensor> params = null;
        String label = null;
        int checked = 0;
        Map<String, String> hp = null;
        String cls = null;
        for (String line : lines()) {
            String[] p = line.split(" ");
            switch (p[0]) {
                case "opt" -> {
                    cls = p[1];
                    label = line;
                    hp = new HashMap<>();
                    if (!p[2].equals("-")) {
                        for (String kv : p[2].split(";")) {
                            String[] e = kv.split("=");
                            hp.put(e[0], e[1]);
                        }
                    }
                    params = new ArrayList<>();
                    opt = null;
                }
                case "param" -> {
                    int[] dims = java.util.Arrays.stream(p[2].split(",")).mapToInt(Integer::parseInt).toArray();
                    params.add(Tensor.of(numbers(p, 3), dims).requiresGrad(true));
                }
                case "grad" -> {
                    if (opt == null) {
                        opt = make(cls, hp, params);
                    }
                    int i = Integer.parseInt(p[2]);
                    Tensor t = params.get(i);
                    t.zeroGrad();
                    Tensor g = Tensor.of(numbers(p, 3), t.dims());
                    // Give the leaf this gradient: backward of sum(t * g) is g.
                    dev.lanes.autograd.Ops.sum(dev.lanes.autograd.Ops.mul(t, g)).backward();
                    if (i == params.size() - 1) {
                        opt.step();
                    }
                }
                case "after" -> {
                    int i = Integer.parseInt(p[2]);
                    double[] want = numbers(p, 3);
                    double[] got = params.get(i).toDoubleArray();
                    for (int j = 0; j < want.length; j++) {
                        assertEquals(want[j], got[j], 1e-12, label + " step " + p[1] + " param " + i + " [" + j + "]");
                    }
                    checked++;
                }
                default -> {
                }
            }
        }
        assertEquals(26 * 6 * 2, checked, "parameter snapshots compared");
    }

    static ChainableLR schedule(String name, Optimizer o) {
        return switch (name) {
            case "step_size=3;gamma=0.5" -> Schedules.step(o, 3, 0.5);
            case "multistep=2,5,9;gamma=0.1" -> Schedules.multiStep(o, new int[] {2, 5, 9}, 0.1);
            case "exponential;gamma=0.9" -> Schedules.exponential(o, 0.9);
            case "cosine;T_max=10;eta_min=0.01" -> Schedules.cosine(o, 10, 0.01);
            case "linear;start_factor=0.1;end_factor=1.0;total_iters=4" -> Schedules.linear(o, 0.1, 1.0, 4);
            default -> null;
        };
    }

    @Test
    void schedulesMatchPyTorch() throws IOException {
        int checked = 0;
        for (String line : lines()) {
            if (!line.startsWith("sched ")) {
                continue;
            }
            String[] p = line.split(" ");
            Tensor w = Tensor.zeros(DType.F32, 1).requiresGrad(true);
            Optimizer o = new SGD(List.of(w), 0.5);
            LRSchedule sched = schedule(p[1], o);
            if (sched == null) {
                assertEquals("sequential;linear(0.25,1.0,3)+cosine(T_max=8);milestone=3", p[1]);
                sched = Schedules.sequential(o, List.of(Schedules.linear(o, 0.25, 1.0, 3), Schedules.cosine(o, 8, 0)),
                        new int[] {3});
            }
            double[] want = numbers(p, 2);
            for (int e = 0; e < want.length; e++) {
                o.step();
                sched.step();
                assertEquals(want[e], o.lr(), 1e-15 * Math.abs(want[e]), p[1] + " epoch " + (e + 1));
            }
            checked++;
        }
        assertEquals(6, checked);
    }

    @Test
    void clippingMatchesPyTorch() throws IOException {
        List<double[]> init = new ArrayList<>();
        List<double[]> grads = new ArrayList<>();
        List<int[]> dims = new ArrayList<>();
        List<String> all = lines();
        for (String line : all) {
            String[] p = line.split(" ");
            if (p[0].equals("param") && init.size() < 2) {
                init.add(numbers(p, 3));
                dims.add(java.util.Arrays.stream(p[2].split(",")).mapToInt(Integer::parseInt).toArray());
            } else if (p[0].equals("grad") && p[1].equals("1") && grads.size() < 2) {
                grads.add(numbers(p, 3));
            }
        }
        int checked = 0;
        for (int k = 0; k < all.size(); k++) {
            String[] p = all.get(k).split(" ");
            if (!p[0].equals("clip")) {
                continue;
            }
            List<Tensor> params = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Tensor t = Tensor.of(init.get(i), dims.get(i)).requiresGrad(true);
                dev.lanes.autograd.Ops.sum(dev.lanes.autograd.Ops.mul(t, Tensor.of(grads.get(i), dims.get(i))))
                        .backward();
                params.add(t);
            }
            if (p[1].equals("norm")) {
                double normType = p[3].equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(p[3]);
                double total = GradClip.clipGradNorm(params, Double.parseDouble(p[2]), normType);
                assertEquals(Double.parseDouble(p[4]), total, 1e-12, all.get(k));
            } else {
                GradClip.clipGradValue(params, Double.parseDouble(p[2]));
            }
            for (int i = 0; i < 2; i++) {
                double[] want = numbers(all.get(k + 1 + i).split(" "), 2);
                double[] got = params.get(i).grad().toDoubleArray();
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], got[j], 1e-12, all.get(k) + " tensor " + i + " [" + j + "]");
                }
            }
            checked++;
        }
        assertEquals(4, checked);
    }
}
