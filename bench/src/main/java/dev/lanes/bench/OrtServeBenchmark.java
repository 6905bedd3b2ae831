package dev.lanes.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lanes.io.SafeTensors;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.LstmState;
import dev.lanes.nn.ReLU;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.models.ResNets;
import dev.lanes.kernel.Kernels;
import dev.lanes.serve.CaptureOptions;
import dev.lanes.serve.Plan;
import dev.lanes.serve.PlanSession;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serving latency against ONNX Runtime's Java binding on the same models and weights
 * ({@code bench/onnx_export.py} writes each as ONNX and as safetensors under Lanes' names): a
 * Lanes {@link Plan} captured from the module, and an ORT session (all graph optimisations,
 * sequential execution, {@code ortThreads} intra-op threads) whose input and output tensors are
 * created once and reused (the outputs pinned). Before timing, both run the same input and
 * their outputs must agree to float rounding, or to BF16's rounding for the BF16 variants (the
 * largest difference is printed). Run with {@code -bm sample} for p50/p99 and {@code -prof gc}
 * for the bytes allocated per call; pin the parameter the other benchmark ignores
 * ({@code -p lanesVariant=f32} with {@code onnxRuntime}, {@code -p ortThreads=1} with {@code lanes}).
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Thread)
public class OrtServeBenchmark {

    /** The model: "mlp", "lstm_step", "resnet_1x28x28" or "resnet_3x32x32". */
    @Param({"mlp", "lstm_step", "resnet_1x28x28", "resnet_3x32x32"})
    public String model;

    /**
     * How Lanes serves: F32 or BF16 weights ({@code CaptureOptions.withBf16Weights}), in a session
     * on the calling thread or in a parallel session ({@code Plan.parallelSession}) over
     * {@code lanesThreads} threads. Only the {@code lanes} benchmark reads it.
     */
    @Param({"f32", "f32-parallel", "bf16", "bf16-parallel"})
    public String lanesVariant;

    /** The library's threads for the parallel variants. */
    @Param({"2"})
    public int lanesThreads;

    /** ONNX Runtime's intra-op threads. Only the {@code onnxRuntime} benchmark reads it. */
    @Param({"1"})
    public int ortThreads;

    /** Where bench/onnx_export.py wrote the models. */
    @Param({"target/bench-onnx"})
    public String dir;

    private PlanSession lanes;
    private float[][] lanesInputs;
    private OrtEnvironment env;
    private OrtSession ort;
    private Map<String, OnnxTensor> ortInputs;
    private Map<String, OnnxTensor> ortOutputs;
    private FloatBuffer ortOut;

    /** Loads both engines, feeds them the same input and checks that they agree. */
    @Setup(Level.Trial)
    public void setUp() throws IOException, OrtException {
        Path onnx = Path.of(dir, model + ".onnx");
        if (!Files.exists(onnx)) {
            throw new IllegalStateException(onnx + " is missing: run /usr/bin/python3 bench/onnx_export.py first");
        }
        Map<String, Tensor> state = SafeTensors.read(Path.of(dir, model + ".safetensors"));
        List<long[]> inShapes;
        List<String> inNames;
        List<String> outNames;
        Generator gen = new Generator(1);
        boolean bf16 = lanesVariant.startsWith("bf16");
        boolean parallel = lanesVariant.endsWith("-parallel");
        if (!List.of("f32", "f32-parallel", "bf16", "bf16-parallel").contains(lanesVariant)) {
            throw new IllegalArgumentException("lanesVariant must be f32, f32-parallel, bf16 or bf16-parallel, got "
                    + lanesVariant);
        }
        if (parallel) {
            Kernels.setThreads(lanesThreads);
        }
        CaptureOptions capture = CaptureOptions.defaults().withBf16Weights(bf16);
        Plan plan;
        switch (model) {
            case "mlp" -> {
                Layer mlp = new Sequential(new Linear(784, 512, gen), new ReLU(), new Linear(512, 512, gen), new ReLU(),
                        new Linear(512, 10, gen));
                mlp.loadStateDict(state);
                plan = Plan.capture(mlp, capture, Tensor.zeros(DType.F32, 1, 784));
                inShapes = List.of(new long[] {1, 784});
                inNames = List.of("x");
                outNames = List.of("y");
            }
            case "lstm_step" -> {
                LSTMCell cell = new LSTMCell(128, 256, gen);
                cell.loadStateDict(state);
                plan = Plan.capture(cell, capture, in -> {
                    LstmState s = cell.forward(in[0], new LstmState(in[1], in[2]));
                    return new Tensor[] {s.h(), s.c()};
                }, Tensor.zeros(DType.F32, 1, 128), Tensor.zeros(DType.F32, 1, 256),
                        Tensor.zeros(DType.F32, 1, 256));
                inShapes = List.of(new long[] {1, 128}, new long[] {1, 256}, new long[] {1, 256});
                inNames = List.of("x", "h", "c");
                outNames = List.of("h_next", "c_next");
            }
            default -> {
                String[] p = model.substring("resnet_".length()).split("x");
                int c = Integer.parseInt(p[0]);
                int h = Integer.parseInt(p[1]);
                int w = Integer.parseInt(p[2]);
                Layer net = ResNets.resnet20(c, 10, gen);
                net.loadStateDict(state);
                plan = Plan.capture(net, capture, Tensor.zeros(DType.F32, 1, c, h, w));
                inShapes = List.of(new long[] {1, c, h, w});
                inNames = List.of("x");
                outNames = List.of("y");
            }
        }
        lanes = parallel ? plan.parallelSession() : plan.session();
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setIntraOpNumThreads(ortThreads);
        options.setInterOpNumThreads(1);
        ort = env.createSession(onnx.toString(), options);
        lanesInputs = new float[inShapes.size()][];
        ortInputs = new LinkedHashMap<>();
        for (int i = 0; i < inShapes.size(); i++) {
            int n = 1;
            for (long d : inShapes.get(i)) {
                n *= (int) d;
            }
            lanesInputs[i] = ServeBenchmark.random(n, 10 + i);
            ortInputs.put(inNames.get(i), OnnxTensor.createTensor(env, direct(lanesInputs[i]), inShapes.get(i)));
        }
        ortOutputs = new LinkedHashMap<>();
        float[] expected = null;
        lanes.run(lanesInputs);
        for (int i = 0; i < outNames.size(); i++) {
            float[] out = lanes.output(i);
            FloatBuffer buffer = direct(new float[out.length]);
            ortOutputs.put(outNames.get(i), OnnxTensor.createTensor(env, buffer, new long[] {1, out.length}));
            if (i == 0) {
                ortOut = buffer;
                expected = out.clone();
            }
        }
        ort.run(ortInputs, ortOutputs).close();
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - ortOut.get(i)));
        }
        System.err.printf("%s, %s: Lanes and ONNX Runtime outputs differ by at most %.3g (largest |output| %.3g)%n",
                model, lanesVariant, diff, scale);
        // BF16 keeps 8 significant bits of each weight: across a few layers outputs move by several
        // 2^-8 of their scale (the bench models measured up to 2^-8), within 2^-5.
        double tolerance = bf16 ? 0x1p-5 : 1e-4;
        if (!(diff <= tolerance * Math.max(1, scale))) {
            throw new IllegalStateException(model + ": Lanes and ONNX Runtime disagree by " + diff);
        }
    }

    private static FloatBuffer direct(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.put(values).rewind();
        return b;
    }

    /** Closes ORT's tensors and session. */
    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        for (OnnxTensor t : ortInputs.values()) {
            t.close();
        }
        for (OnnxTensor t : ortOutputs.values()) {
            t.close();
        }
        ort.close();
    }

    /** @return the first output of one Lanes call */
    @Benchmark
    public float lanes() {
        lanes.run(lanesInputs);
        return lanes.output(0)[0];
    }

    /** @return the first output of one ORT call, written into the pinned output tensor */
    @Benchmark
    public float onnxRuntime() throws OrtException {
        ort.run(ortInputs, ortOutputs).close();
        return ortOut.get(0);
    }
}
