package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Ops;
import dev.lanes.data.DataLoader;
import dev.lanes.data.FashionMnist;
import dev.lanes.io.SafeTensors;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.optim.Adam;
import dev.lanes.optim.ChainableLR;
import dev.lanes.optim.Optimizer;
import dev.lanes.optim.SGD;
import dev.lanes.optim.Schedules;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop: bit-identical resume from a mid-epoch checkpoint, early stopping, progress output, curves. */
class TrainerTest {

    @TempDir
    Path dir;

    /** A small classifier with dropout, so that a generator's state matters. */
    static final class Mlp extends Layer {
        private final Linear l1;
        private final Linear l2;
        private final Generator dropout;

        Mlp(long seed, Generator dropout) {
            Generator gen = new Generator(seed);
            this.l1 = registerModule("l1", new Linear(28 * 28, 24, gen));
            this.l2 = registerModule("l2", new Linear(24, 10, gen));
            this.dropout = dropout;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = Ops.relu(l1.forward(Ops.reshape(x, x.size(0), 28 * 28)));
            if (isTraining()) {
                h = Ops.dropout(h, 0.2, dropout);
            }
            return l2.forward(h);
        }
    }

    /** Everything a run needs, built the same way every time but for the model's initial weights. */
    record Run(Mlp model, Optimizer optimizer, ChainableLR schedule, Generator dropout, DataLoader train,
               DataLoader test) {

        static Run make(long modelSeed, long dropoutSeed) {
            FashionMnist.Splits data = slice();
            Generator dropout = new Generator(dropoutSeed);
            Mlp model = new Mlp(modelSeed, dropout);
            Adam opt = new Adam(model.parameters(), 2e-3);
            ChainableLR schedule = Schedules.step(opt, 1, 0.5);
            DataLoader train = DataLoader.builder(data.train()).batchSize(100).shuffle(true).seed(9).randomCrop(1)
                    .build();
            DataLoader test = DataLoader.builder(data.test()).batchSize(250).build();
            return new Run(model, opt, schedule, dropout, train, test);
        }

        Trainer.Builder trainer(int epochs, ByteArrayOutputStream log) {
            return Trainer.builder(model, optimizer, train).test(test).epochs(epochs).schedule(schedule)
                    .clipGradNorm(5).generators(dropout)
                    .progress(new PrintStream(log, true, StandardCharsets.UTF_8), false);
        }
    }

    static FashionMnist.Splits slice() {
        try {
            return FashionMnist.slice();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Tensor> params(Layer m) {
        return m.stateDict();
    }

    @Test
    void resumingMidEpochContinuesBitForBit() throws IOException {
        Run straight = Run.make(1, 2);
        List<EpochMetrics> expected = straight.trainer(3, new ByteArrayOutputStream()).build().fit();

        Path ckpt = dir.resolve("run.ckpt");
        Run interrupted = Run.make(1, 2);
        Trainer first = interrupted.trainer(3, new ByteArrayOutputStream()).checkpoint(ckpt, 7).maxSteps(35).build();
        first.fit();
        assertEquals(35, first.steps());
        // The last checkpoint was taken at step 35 = epoch 2, batch 15 of 20.
        Run resumed = Run.make(77, 78);
        Trainer second = resumed.trainer(3, new ByteArrayOutputStream()).checkpoint(ckpt, 7).build();
        second.resume(ckpt);
        assertEquals(35, second.steps());
        List<EpochMetrics> actual = second.fit();

        Map<String, Tensor> a = params(straight.model());
        Map<String, Tensor> b = params(resumed.model());
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
        }
        assertEquals(straight.optimizer().lr(), resumed.optimizer().lr(), 0.0);
        assertEquals(straight.dropout().state(), resumed.dropout().state());
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            EpochMetrics e = expected.get(i);
            EpochMetrics r = actual.get(i);
            assertEquals(List.of(e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy(), e.lr()),
                    List.of(r.epoch(), r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(), r.lr()));
        }
        assertTrue(expected.get(2).testAccuracy() > 0.5, "it learns: " + expected);
    }

    @Test
    void aPerStepScheduleStepsAfterEveryBatchAndResumes() throws IOException {
        // 20 batches per epoch, cosine over the 40 steps of 2 epochs: lr(t) = 1e-3 (1 + cos(pi t / 40)).
        Run straight = Run.make(1, 2);
        ChainableLR cosine = Schedules.cosine(straight.optimizer(), 40, 0);
        List<EpochMetrics> expected = Trainer.builder(straight.model(), straight.optimizer(), straight.train())
                .epochs(2).schedulePerStep(cosine).generators(straight.dropout())
                .progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).build()
                .fit();
        assertEquals(2e-3, expected.get(0).lr(), 1e-15);
        assertEquals(1e-3 * (1 + Math.cos(Math.PI * 20 / 40)), expected.get(1).lr(), 1e-12);
        assertEquals(0, straight.optimizer().lr(), 1e-15);

        Path ckpt = dir.resolve("per-step.ckpt");
        Run interrupted = Run.make(1, 2);
        Trainer.builder(interrupted.model(), interrupted.optimizer(), interrupted.train()).epochs(2)
                .schedulePerStep(Schedules.cosine(interrupted.optimizer(), 40, 0)).generators(interrupted.dropout())
                .checkpoint(ckpt, 5).maxSteps(25)
                .progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).build()
                .fit();
        Run resumed = Run.make(5, 6);
        Trainer second = Trainer.builder(resumed.model(), resumed.optimizer(), resumed.train()).epochs(2)
                .schedulePerStep(Schedules.cosine(resumed.optimizer(), 40, 0)).generators(resumed.dropout())
                .progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).build();
        second.resume(ckpt);
        assertEquals(1e-3 * (1 + Math.cos(Math.PI * 25 / 40)), resumed.optimizer().lr(), 1e-12);
        second.fit();
        Map<String, Tensor> a = params(straight.model());
        Map<String, Tensor> b = params(resumed.model());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
        }
    }

    @Test
    void earlyStoppingEndsARunThatDoesNotImprove() throws IOException {
        FashionMnist.Splits data = slice();
        Mlp model = new Mlp(3, new Generator(4));
        SGD frozen = new SGD(model.parameters(), 0.0);
        DataLoader train = DataLoader.builder(data.train()).batchSize(500).build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // With lr 0 the weights never change; only the dropout masks move the loss a little
        // between epochs, far less than minDelta, so epochs 2 and 3 cannot count as improvements.
        List<EpochMetrics> h = Trainer.builder(model, frozen, train).epochs(10).earlyStopping(2, 0.5)
                .progress(new PrintStream(log, true, StandardCharsets.UTF_8), false).build().fit();
        assertTrue(Math.abs(h.get(1).trainLoss() - h.get(0).trainLoss()) < 0.5, h.toString());
        assertEquals(3, h.size());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("early stopping"), text);
    }

    @Test
    void progressIsALiveLineOnATerminalAndLogLinesElsewhere() throws IOException {
        for (boolean live : new boolean[] {false, true}) {
            Run run = Run.make(5, 6);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Trainer.builder(run.model(), run.optimizer(), run.train()).epochs(1)
                    .progress(new PrintStream(log, true, StandardCharsets.UTF_8), live).curves(dir.resolve("c" + live))
                    .build().fit();
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("epoch 1/1"), text);
            assertTrue(text.contains("items/s") && text.contains("ETA"), text);
            assertEquals(live, text.contains("\r"), text);
            if (!live) {
                assertEquals(11, text.lines().count(), text);
            }
            List<String> csv = Files.readAllLines(dir.resolve("c" + live).resolve("metrics.csv"));
            assertEquals(2, csv.size());
            assertTrue(csv.get(0).startsWith("epoch,train_loss"), csv.get(0));
        }
    }

    @Test
    void foreignFilesAndMismatchedRunsAreRefused() throws IOException {
        Path other = dir.resolve("other.safetensors");
        SafeTensors.write(other, Map.of("w", Tensor.of(new float[] {1}, 1)), Map.of());
        Run run = Run.make(1, 2);
        Trainer t = run.trainer(1, new ByteArrayOutputStream()).build();
        IOException e = assertThrows(IOException.class, () -> t.resume(other));
        assertTrue(e.getMessage().contains("not a trainer checkpoint"), e.getMessage());

        Path ckpt = dir.resolve("a.ckpt");
        run.trainer(1, new ByteArrayOutputStream()).checkpoint(ckpt, 3).maxSteps(3).build().fit();
        FashionMnist.Splits data = slice();
        Run otherSeed = Run.make(1, 2);
        DataLoader reseeded = DataLoader.builder(data.train()).batchSize(100).seed(10).build();
        Trainer mismatched = Trainer.builder(otherSeed.model(), otherSeed.optimizer(), reseeded).build();
        e = assertThrows(IOException.class, () -> mismatched.resume(ckpt));
        assertTrue(e.getMessage().contains("seed 9"), e.getMessage());
    }
}
