package dev.lanes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.data.Batch;
import dev.lanes.data.DataLoader;
import dev.lanes.data.Epoch;
import dev.lanes.data.FashionMnist;
import dev.lanes.data.LoaderPosition;
import dev.lanes.data.Normalize;
import dev.lanes.io.SafeTensors;
import dev.lanes.io.SafeTensorsFile;
import dev.lanes.kernel.Activation;
import dev.lanes.kernel.internal.Elementwise;
import dev.lanes.kernel.internal.Reductions;
import dev.lanes.nn.CellSession;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.LSTMCell;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.Tanh;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.optim.Adam;
import dev.lanes.optim.ChainableLR;
import dev.lanes.optim.GradClip;
import dev.lanes.optim.Schedules;
import dev.lanes.serve.ResNetPlan;
import dev.lanes.serve.ResNetSession;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.train.EpochMetrics;
import dev.lanes.train.Trainer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Short usage examples across the public API (and the internal kernels behind it) run and give sensible results. */
class UsageExamplesTest {

    @Test
    void autogradExample() {
        Generator gen = new Generator(42);
        Sequential model = new Sequential(new Linear(4, 16, gen), new Tanh(), new Linear(16, 3, gen));
        Tensor x = Tensor.randn(gen, DType.F32, 8, 4);
        Tensor loss = Losses.crossEntropy(model.forward(x), 0, 1, 2, 0, 1, 2, 0, 1);
        loss.backward();
        Tensor g = model.namedParameters().get("0.weight").grad();
        assertEquals(List.of(16, 4), List.of(g.size(0), g.size(1)));
        assertTrue(g.toString().startsWith("tensor([["), g.toString());
        Map<String, Tensor> state = model.stateDict();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(state.keySet()));
    }

    @Test
    void optimizerExample() {
        Generator gen = new Generator(1);
        Sequential model = new Sequential(new Linear(4, 16, gen), new Tanh(), new Linear(16, 3, gen));
        List<Tensor> inputs = List.of(Tensor.randn(gen, DType.F32, 6, 4), Tensor.randn(gen, DType.F32, 6, 4));
        List<int[]> labels = List.of(new int[] {0, 1, 2, 0, 1, 2}, new int[] {2, 2, 1, 1, 0, 0});
        int epochs = 40;
        double first = Double.NaN;
        double last = Double.NaN;
        Adam opt = new Adam(model.parameters(), 1e-3 * 20);
        ChainableLR warmup = Schedules.linear(opt, 0.1, 1.0, 5);
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int b = 0; b < inputs.size(); b++) {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(inputs.get(b)), labels.get(b));
                loss.backward();
                GradClip.clipGradNorm(model.parameters(), 1.0, 2);
                opt.step();
                first = Double.isNaN(first) ? loss.item() : first;
                last = loss.item();
            }
            warmup.step();
        }
        assertTrue(last < first / 2, "training reduced the loss: " + first + " -> " + last);
    }

    @Test
    void kernelExample() {
        int n = 37;
        int rows = 3;
        int cols = 5;
        float[] x = new float[n];
        float[] y = new float[n];
        float[] dy = new float[n];
        float[] dx = new float[n];
        float[] f = new float[n];
        float[] c = new float[n];
        float[] i = new float[n];
        float[] g = new float[n];
        float[] b = new float[cols];
        float[] h = new float[rows * cols];
        float[] logits = new float[rows * cols];
        float[] probs = new float[rows * cols];
        java.util.Arrays.fill(x, 0.5f);
        java.util.Arrays.fill(dy, 1f);
        java.util.Arrays.fill(f, 0.5f);
        java.util.Arrays.fill(c, 2f);
        java.util.Arrays.fill(i, 0.25f);
        java.util.Arrays.fill(g, 4f);
        Elementwise.activate(Activation.TANH, x, 0, y, 0, n);
        Elementwise.activateBackward(Activation.TANH, y, 0, dy, 0, dx, 0, n);
        Elementwise.biasActivate(Activation.SIGMOID, rows, cols, b, 0, h, 0, cols);
        Elementwise.sumOfProducts(f, 0, c, 0, i, 0, g, 0, c, 0, n);
        float total = Reductions.sum(x, 0, n);
        Reductions.softmax(rows, cols, logits, 0, probs, 0);
        assertEquals((float) Math.tanh(0.5), y[36], 1e-7f);
        assertEquals(1 - y[0] * y[0], dx[0], 1e-7f);
        assertEquals(0.5f, h[14]);
        assertEquals(2f, c[20]);
        assertEquals(18.5f, total);
        assertEquals(0.2f, probs[7], 1e-7f);
    }

    @Test
    void recurrentExample() {
        Generator gen = new Generator(3);
        Tensor x = Tensor.randn(gen, DType.F32, 5, 2, 128);
        LSTM lstm = new LSTM(RecurrentOptions.of(128, 256).withNumLayers(2).withBidirectional(true), gen);
        SequenceOutput r = lstm.forward(x, null, null);
        Tensor out = r.output();
        assertEquals(List.of(5, 2, 512), List.of(out.size(0), out.size(1), out.size(2)));
        assertEquals(List.of(4, 2, 256), List.of(r.hN().size(0), r.hN().size(1), r.hN().size(2)));
        assertEquals(List.of(4, 2, 256), List.of(r.cN().size(0), r.cN().size(1), r.cN().size(2)));
        Map<String, Tensor> torchStateDict = lstm.stateDict();
        lstm.loadStateDict(torchStateDict);

        LSTMCell cell = new LSTMCell(128, 256, gen);
        CellSession s = cell.session(1);
        s.input().f32()[0] = 0.5f;
        s.step();
        assertEquals(256, s.hidden().numel());
        assertTrue(s.cellState().toDoubleArray()[0] != 0);
    }

    @Test
    void dataExample() throws java.io.IOException {
        int epochs = 2;
        List<int[]> shapes = new java.util.ArrayList<>();
        FashionMnist.Splits data = FashionMnist.slice();
        DataLoader loader = DataLoader.builder(data.train())
                .batchSize(128).shuffle(true).seed(42)
                .randomCrop(2).horizontalFlip().normalize(Normalize.fit(data.train()))
                .build();
        LoaderPosition saved = null;
        for (int epoch = 0; epoch < epochs; epoch++) {
            try (Epoch batches = loader.epoch(epoch)) {
                for (Batch b : batches) {
                    shapes.add(b.images().dims());
                    assertEquals(b.size(), b.labels().length);
                    saved = batches.position();
                }
            }
        }
        try (Epoch rest = loader.resume(saved)) {
            assertTrue(!rest.hasNext());
        }
        assertEquals(new LoaderPosition(42, 1, 16), saved);
        assertEquals(32, shapes.size());
        assertEquals(List.of(128, 1, 28, 28), java.util.Arrays.stream(shapes.get(0)).boxed().toList());
        assertEquals(2000 - 15 * 128, shapes.get(15)[0]);
    }

    @Test
    void safetensorsExample(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        Generator gen = new Generator(42);
        Sequential model = new Sequential(new Linear(4, 16, gen), new Tanh(), new Linear(16, 3, gen));
        java.nio.file.Path path = dir.resolve("model.safetensors");
        Map<String, Tensor> before = model.stateDict();
        SafeTensors.write(path, model.stateDict(), Map.of("format", "pt")); // atomic: temp file, fsync, rename
        model.loadStateDict(SafeTensors.read(path));                        // Map<String, Tensor>, header order
        SafeTensorsFile file = SafeTensors.readFile(path);                  // tensors() and metadata()
        assertEquals(Map.of("format", "pt"), file.metadata());
        assertEquals(List.copyOf(before.keySet()), List.copyOf(file.tensors().keySet()));
        before.forEach((k, v) -> assertEquals(java.util.Arrays.toString(v.toFloatArray()),
                java.util.Arrays.toString(model.stateDict().get(k).toFloatArray()), k));
    }

    @Test
    void trainerExample(@org.junit.jupiter.api.io.TempDir java.nio.file.Path run) throws java.io.IOException {
        Generator gen = new Generator(8);
        Generator dropoutGen = new Generator(9);
        FashionMnist.Splits data = FashionMnist.slice();
        DataLoader trainLoader = DataLoader.builder(data.train()).batchSize(200).shuffle(true).seed(1).build();
        DataLoader testLoader = DataLoader.builder(data.test()).batchSize(500).build();
        Sequential mlp = new Sequential(new Linear(28 * 28, 32, gen), new Tanh(), new Linear(32, 10, gen));
        Layer model = new Layer() {
            {
                registerModule("mlp", mlp);
            }

            @Override
            public Tensor forward(Tensor x) {
                Tensor flat = Ops.reshape(x, x.size(0), 28 * 28);
                return mlp.forward(isTraining() ? Ops.dropout(flat, 0.1, dropoutGen) : flat);
            }
        };
        java.nio.file.Path ckpt = run.resolve("checkpoint.safetensors");
        Adam opt = new Adam(model.parameters(), 1e-3);
        Trainer trainer = Trainer.builder(model, opt, trainLoader)
                .test(testLoader).epochs(2).schedule(Schedules.step(opt, 5, 0.5)).clipGradNorm(5)
                .earlyStopping(3, 0).checkpoint(ckpt, 500)
                .generators(dropoutGen).curves(run)
                .progress(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false)
                .build();
        List<EpochMetrics> history = trainer.fit();
        assertEquals(2, history.size());
        assertTrue(history.get(1).testAccuracy() > 0.5, history.toString());
        assertTrue(java.nio.file.Files.exists(ckpt) && java.nio.file.Files.exists(run.resolve("metrics.csv")));
    }

    @Test
    void resnetExample() {
        Generator gen = new Generator(11);
        ResNet net = ResNets.resnet20(1, 10, gen);
        ResNet b = ResNets.cifar(56, 3, 10, Shortcut.PROJECTION, true, DType.F32, gen);
        ResNet plain = ResNets.cifar(56, 3, 10, Shortcut.ZERO_PAD, false, DType.F32, gen);
        assertEquals(List.of(2, 10), java.util.Arrays.stream(net.forward(Tensor.randn(gen, DType.F32, 2, 1, 28, 28))
                .dims()).boxed().toList());
        assertEquals(List.of("ResNet-20", "ResNet-56", "Plain-56"), List.of(net.name(), b.name(), plain.name()));
        assertTrue(b.stateDict().containsKey("layer2.0.downsample.0.weight"));

        float[] image = Tensor.randn(gen, DType.F32, 1, 1, 28, 28).toFloatArray();
        ResNetPlan plan = ResNetPlan.freeze(net, 1, 28, 28);       // eval mode, F32 copy
        ResNetSession session = plan.session(1);                    // one per thread; buffers preallocated
        float[] logits = session.run(image);                        // [1, 1, 28, 28] in, [1, 10] out, 0 bytes allocated
        net.eval();
        double[] expected = net.forward(Tensor.of(image, 1, 1, 28, 28)).toDoubleArray();
        for (int i = 0; i < 10; i++) {
            assertEquals(expected[i], logits[i], 1e-4, "logit " + i);
        }
    }
}
