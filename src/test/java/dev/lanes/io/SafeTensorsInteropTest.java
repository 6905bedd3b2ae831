package dev.lanes.io;

import static dev.lanes.io.TensorAssertions.assertSameTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.SequenceOutput;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.Linear;
import dev.lanes.nn.RecurrentOptions;
import dev.lanes.nn.Sequential;
import dev.lanes.nn.Tanh;
import dev.lanes.nn.models.ResNet;
import dev.lanes.nn.models.ResNets;
import dev.lanes.nn.models.Shortcut;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State dicts through safetensors files, between Lanes modules and to and from PyTorch
 * ({@code tools/golden/safetensors_golden.py} wrote the fixture and checks the file written
 * here).
 */
class SafeTensorsInteropTest {

    /** Where {@link #writesAFileForThePythonCheck} leaves its file. */
    static final Path CHECK_FILE = Path.of("target", "safetensors", "lanes_check.safetensors");

    static Path resource(String name) throws URISyntaxException {
        return Path.of(SafeTensorsInteropTest.class.getResource(name).toURI());
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.dims(), actual.dims(), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance, what + ": element " + i);
        }
    }

    static LSTM lstm(long seed) {
        return new LSTM(RecurrentOptions.of(3, 4).withNumLayers(2), new Generator(seed));
    }

    @Test
    void pyTorchLstmStateDictReproducesPyTorchOutputs() throws Exception {
        SafeTensorsFile file = SafeTensors.readFile(resource("/golden/lstm.safetensors"));
        assertEquals("pt", file.metadata().get("format"));
        Map<String, Tensor> state = new LinkedHashMap<>(file.tensors());
        Tensor input = state.remove("test.input");
        Tensor output = state.remove("test.output");
        Tensor hN = state.remove("test.h_n");
        Tensor cN = state.remove("test.c_n");
        assertEquals(List.of("bias_hh_l0", "bias_hh_l1", "bias_ih_l0", "bias_ih_l1", "weight_hh_l0", "weight_hh_l1",
                "weight_ih_l0", "weight_ih_l1"), List.copyOf(state.keySet()));

        LSTM module = lstm(1);
        module.loadStateDict(state);
        SequenceOutput out = module.forward(input, null, null);
        assertEquals(DType.F32, out.output().dtype());
        assertClose("output", output, out.output(), 1e-5);
        assertClose("h_n", hN, out.hN(), 1e-5);
        assertClose("c_n", cN, out.cN(), 1e-5);
    }

    /** The fixture's network: CIFAR-style ResNet-8 with projection shortcuts, 3 channels, 10 classes. */
    static ResNet resnet8(long seed) {
        return ResNets.cifar(8, 3, 10, Shortcut.PROJECTION, true, DType.F32, new Generator(seed));
    }

    @Test
    void pyTorchResNetStateDictReproducesPyTorchLogits() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>(SafeTensors.read(resource("/golden/resnet8.safetensors")));
        Tensor input = state.remove("test.input");
        Tensor output = state.remove("test.output");
        assertTrue(state.containsKey("layer2.0.downsample.1.running_var"), state.keySet().toString());
        ResNet module = resnet8(1);
        module.loadStateDict(state);
        module.eval();
        assertClose("logits", output, module.forward(input), 1e-5);
    }

    @Test
    void moduleLoadsTheStateDictItSaved(@TempDir Path dir) throws IOException {
        Generator gen = new Generator(3);
        Sequential saved = new Sequential(new Linear(4, 6, gen), new Tanh(), new Linear(6, 2, gen));
        Path file = dir.resolve("mlp.safetensors");
        SafeTensors.write(file, saved.stateDict(), Map.of("format", "pt"));

        Sequential loaded = new Sequential(new Linear(4, 6, gen), new Tanh(), new Linear(6, 2, gen));
        loaded.loadStateDict(SafeTensors.read(file));
        saved.stateDict().forEach((k, v) -> assertSameTensor(k, v, loaded.stateDict().get(k)));
        Tensor x = Tensor.randn(gen, DType.F32, 5, 4);
        assertSameTensor("forward", saved.forward(x), loaded.forward(x));
    }

    @Test
    void lstmStateDictSurvivesAFile(@TempDir Path dir) throws IOException {
        LSTM saved = lstm(5);
        Path file = dir.resolve("lstm.safetensors");
        SafeTensors.write(file, saved.stateDict());
        LSTM loaded = lstm(6);
        loaded.loadStateDict(SafeTensors.read(file));
        Tensor x = Tensor.randn(new Generator(7), DType.F32, 4, 2, 3);
        assertSameTensor("output", saved.forward(x, null, null).output(), loaded.forward(x, null, null).output());
    }

    /**
     * Writes {@code target/safetensors/lanes_check.safetensors} for
     * {@code python3 tools/golden/safetensors_golden.py --check}: fixed patterns and metadata the
     * script knows, and the state dicts of a seeded Lanes LSTM and ResNet-8 (batch norms after two
     * training batches) with an input and Lanes' output each, which the script runs through
     * {@code torch.nn.LSTM} and its own ResNet-8 in eval mode.
     */
    @Test
    void writesAFileForThePythonCheck() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        float[] f = new float[6];
        for (int i = 0; i < 6; i++) {
            f[i] = i * 0.25f - 0.5f;
        }
        double[] d = new double[4];
        for (int i = 0; i < 4; i++) {
            d[i] = (i + 1) / 3.0;
        }
        tensors.put("pattern.f32", Tensor.of(f, 2, 3));
        tensors.put("pattern.f64", Tensor.of(d, 4));
        tensors.put("pattern.scalar", Tensor.scalar(DType.F32, 2.5));
        tensors.put("pattern.empty", Tensor.zeros(DType.F32, 0, 3));
        tensors.put("pattern.ünïcødé/名前", Tensor.of(new float[] {7}, 1));
        LSTM module = lstm(11);
        module.stateDict().forEach((k, v) -> tensors.put("lstm." + k, v));
        Tensor input = Tensor.randn(new Generator(12), DType.F32, 5, 2, 3);
        tensors.put("lstm_io.input", input);
        tensors.put("lstm_io.output", module.forward(input, null, null).output().detach());
        ResNet resnet = resnet8(13);
        Generator gen = new Generator(14);
        for (int i = 0; i < 2; i++) {
            resnet.forward(Tensor.randn(gen, DType.F32, 4, 3, 10, 10));
        }
        resnet.eval();
        resnet.stateDict().forEach((k, v) -> tensors.put("resnet." + k, v));
        Tensor images = Tensor.randn(gen, DType.F32, 2, 3, 10, 10);
        tensors.put("resnet_io.input", images);
        tensors.put("resnet_io.output", resnet.forward(images).detach());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("producer", "lanes");
        metadata.put("note", "ünïcødé \"quoted\"\n");

        Files.createDirectories(CHECK_FILE.getParent());
        SafeTensors.write(CHECK_FILE, tensors, metadata);
        SafeTensorsFile back = SafeTensors.readFile(CHECK_FILE);
        assertEquals(metadata, back.metadata());
        tensors.forEach((k, v) -> assertSameTensor(k, v, back.tensors().get(k)));
        assertTrue(Files.size(CHECK_FILE) < 400_000, Files.size(CHECK_FILE) + " bytes");
    }
}
