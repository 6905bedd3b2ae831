package dev.lanes.bench;

import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.serve.RecurrentPlan;
import dev.lanes.serve.RecurrentSession;
import dev.lanes.serve.ResNetPlan;
import dev.lanes.serve.ResNetSession;
import dev.lanes.tensor.Generator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serving latency on frozen plans, one session on the benchmark thread (sessions run their
 * kernels on the calling thread): one image through ResNet-20 (option A, the shapes of
 * {@code bench/torch_resnet.py}) and one LSTM(128, 256) cell step at batch 1. Run with
 * {@code -bm sample} for p50/p99 and {@code -prof gc} for the bytes allocated per call.
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ServeBenchmark {

    /** One ResNet-20 session and an image. */
    @State(Scope.Thread)
    public static class Image {

        /** Input shape: "1x28x28" (Fashion-MNIST) or "3x32x32" (CIFAR). */
        @Param({"1x28x28", "3x32x32"})
        public String shape;

        ResNetSession session;
        float[] image;

        /** A seeded network frozen for the shape, and a random image. */
        @Setup
        public void setUp() {
            String[] p = shape.split("x");
            int c = Integer.parseInt(p[0]);
            int h = Integer.parseInt(p[1]);
            int w = Integer.parseInt(p[2]);
            ResNet net = ResNets.resnet20(c, 10, new Generator(1));
            ResNetPlan plan = ResNetPlan.freeze(net, c, h, w);
            session = plan.session(1);
            image = random(plan.imageSize(), 2);
        }
    }

    /** One LSTM(128, 256) session at batch 1 and an input step. */
    @State(Scope.Thread)
    public static class Step {

        RecurrentSession session;
        float[] x;

        /** A seeded cell and a random step. */
        @Setup
        public void setUp() {
            session = RecurrentPlan.freeze(new LSTMCell(128, 256, new Generator(1))).session(1);
            x = random(128, 3);
        }
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** @return the logits of one image (returned so the work is not dead) */
    @Benchmark
    public float[] resnetImage(Image s) {
        return s.session.run(s.image);
    }

    /** @return the hidden state after one step */
    @Benchmark
    public float[] lstmStep(Step s) {
        return s.session.step(s.x);
    }
}
