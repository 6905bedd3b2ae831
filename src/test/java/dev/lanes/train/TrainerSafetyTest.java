package dev.lanes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.io.SafeTensors;
import dev.lanes.io.SafeTensorsFile;
import dev.lanes.optim.SGD;
import dev.lanes.optim.Schedules;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training never loses work: non-finite state is never saved, a diverging run stops naming the
 * step, older and best checkpoints are kept, leftover temporary files are removed, and a resume
 * refuses a bad checkpoint field by field without changing anything.
 */
class TrainerSafetyTest {

    @TempDir
    Path dir;

    private static TrainerTest.Run run() {
        return TrainerTest.Run.make(1, 2);
    }

    private static boolean allFinite(Path checkpoint) throws IOException {
        for (Tensor t : SafeTensors.read(checkpoint).values()) {
            if (!t.allFinite()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aDivergingRunStopsNamingTheStepAndKeepsTheLastGoodCheckpoint() throws IOException {
        Path ckpt = dir.resolve("ckpt.safetensors");
        TrainerTest.Run r = run();
        // One good epoch, then a learning rate that blows the weights up.
        Trainer first = r.trainer(1, new ByteArrayOutputStream()).checkpoint(ckpt, 0).build();
        first.fit();
        TrainerTest.Run again = run();
        Trainer second = again.trainer(3, new ByteArrayOutputStream()).checkpoint(ckpt, 5).build();
        second.resume(ckpt);
        again.optimizer().setLr(1e30);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, second::fit);
        assertTrue(e.step() >= 20, "stopped after the resumed step: " + e.step());
        assertTrue(e.getMessage().contains("step") && e.getMessage().contains(ckpt.toString()), e.getMessage());
        assertTrue(allFinite(ckpt), "the checkpoint on disk holds only finite values");
        long saved = Long.parseLong(SafeTensors.readFile(ckpt).metadata().get("step"));
        assertTrue(saved >= 20 && saved < e.step(), "the last checkpoint is from before the divergence: " + saved);
        // Resumable: a fresh trainer takes it.
        TrainerTest.Run third = run();
        Trainer resumed = third.trainer(3, new ByteArrayOutputStream()).build();
        resumed.resume(ckpt);
        assertEquals(saved, resumed.steps());
    }

    @Test
    void withTheGuardOffNonFiniteStateIsStillNeverSaved() throws IOException {
        Path ckpt = dir.resolve("ckpt.safetensors");
        TrainerTest.Run r = run();
        r.trainer(1, new ByteArrayOutputStream()).checkpoint(ckpt, 0).build().fit();
        byte[] good = Files.readAllBytes(ckpt);
        TrainerTest.Run again = run();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer t = again.trainer(2, log).checkpoint(ckpt, 0).stopOnNonFinite(false).build();
        t.resume(ckpt);
        again.optimizer().setLr(1e30);
        t.fit();
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("no checkpoint was written"), text);
        assertArrayEquals(good, Files.readAllBytes(ckpt), "the good checkpoint is untouched");
    }

    @Test
    void keepsTheLastCheckpointsAndTheBestAndCleansTemporaryFiles() throws IOException {
        Path ckpt = dir.resolve("ckpt.safetensors");
        Path stale = dir.resolve(".ckpt.safetensors.0123456789abcdef.tmp");
        Files.write(stale, new byte[1000]);
        TrainerTest.Run r = run();
        r.trainer(2, new ByteArrayOutputStream()).checkpoint(ckpt, 6).keepCheckpoints(3).build().fit();
        // Saves at steps 6, 12, 18, 20 (epoch 1), 24, 30, 36, 40 (epoch 2): the two before the last stay.
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("ckpt.best.safetensors", "ckpt.safetensors", "ckpt.step-30.safetensors",
                    "ckpt.step-36.safetensors"), names);
        }
        assertEquals("40", SafeTensors.readFile(ckpt).metadata().get("step"));
        assertEquals("36", SafeTensors.readFile(dir.resolve("ckpt.step-36.safetensors")).metadata().get("step"));
        String bestStep = SafeTensors.readFile(dir.resolve("ckpt.best.safetensors")).metadata().get("step");
        assertTrue(bestStep.equals("20") || bestStep.equals("40"), bestStep);
    }

    @Test
    void earlyStoppingCanRestoreTheBestWeights() throws IOException {
        Path ckpt = dir.resolve("ckpt.safetensors");
        TrainerTest.Run r = run();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // minDelta 10: no epoch after the first can beat it by that much, so the run
        // stops and the first epoch's weights come back.
        Trainer t = r.trainer(10, log).checkpoint(ckpt, 0).earlyStopping(2, 10).restoreBestWeights(true).build();
        List<EpochMetrics> h = t.fit();
        assertEquals(3, h.size(), log.toString(StandardCharsets.UTF_8));
        Map<String, Tensor> best = SafeTensors.read(dir.resolve("ckpt.best.safetensors"));
        assertEquals("20", SafeTensors.readFile(dir.resolve("ckpt.best.safetensors")).metadata().get("step"));
        r.model().stateDict().forEach((k, v) ->
                assertArrayEquals(best.get("model." + k).toFloatArray(), v.toFloatArray(), 0f, k));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("restored the weights of the best epoch 1"));
    }

    /** A valid mid-epoch checkpoint: step 27 = epoch 1, batch 7 of 20, with a per-epoch schedule. */
    private Path validCheckpoint() throws IOException {
        Path ckpt = dir.resolve("valid.safetensors");
        TrainerTest.Run r = run();
        r.trainer(3, new ByteArrayOutputStream()).checkpoint(ckpt, 0).maxSteps(27).build().fit();
        return ckpt;
    }

    /** Everything resume could change, as bits. */
    private static List<Object> snapshot(TrainerTest.Run r, Trainer t) {
        List<Object> s = new ArrayList<>();
        r.model().stateDict().forEach((k, v) -> s.add(k + "=" + java.util.Arrays.toString(v.toFloatArray())));
        r.optimizer().stateDict().forEach((k, v) -> s.add(k + "=" + java.util.Arrays.toString(v.toDoubleArray())));
        s.add(r.optimizer().lr());
        s.add(r.dropout().state());
        s.add(t.steps());
        s.add(t.history());
        return s;
    }

    private void refused(Path valid, String field, Consumer<Map<String, String>> meta,
                         Consumer<Map<String, Tensor>> tensors) throws IOException {
        SafeTensorsFile f = SafeTensors.readFile(valid);
        Map<String, String> m = new LinkedHashMap<>(f.metadata());
        Map<String, Tensor> ts = new LinkedHashMap<>();
        f.tensors().forEach((k, v) -> ts.put(k, v.copy()));
        meta.accept(m);
        tensors.accept(ts);
        Path bad = dir.resolve("bad-" + field.replace('.', '_') + ".safetensors");
        SafeTensors.write(bad, ts, m);
        TrainerTest.Run r = run();
        Trainer t = r.trainer(3, new ByteArrayOutputStream()).build();
        List<Object> before = snapshot(r, t);
        CheckpointException e = assertThrows(CheckpointException.class, () -> t.resume(bad), field);
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(before, snapshot(r, t), "nothing changed after refusing " + field);
    }

    private void refusedMeta(Path valid, String field, String key, String value) throws IOException {
        refused(valid, field, m -> m.put(key, value), ts -> { });
    }

    @Test
    void resumeRefusesEachBadFieldAndChangesNothing() throws IOException {
        Path valid = validCheckpoint();
        TrainerTest.Run ok = run();
        ok.trainer(3, new ByteArrayOutputStream()).build().resume(valid); // the unmodified file resumes
        refusedMeta(valid, "format", "format", "something-else");
        refusedMeta(valid, "epoch", "epoch", "-1");
        refusedMeta(valid, "epoch", "epoch", "99");
        refusedMeta(valid, "batch", "batch", "1000000");
        refusedMeta(valid, "step", "step", "-5");
        refusedMeta(valid, "step", "step", "28");
        refusedMeta(valid, "schedule_steps", "schedule_steps", Integer.toString(Integer.MAX_VALUE));
        refusedMeta(valid, "loader_seed", "loader_seed", "12345");
        refusedMeta(valid, "generators", "generators", "1,2");
        refusedMeta(valid, "generators", "generators", "x");
        refusedMeta(valid, "loss_sum", "loss_sum", "NaN");
        refusedMeta(valid, "seen", "seen", "0");
        refusedMeta(valid, "seen", "correct", "1000000");
        refusedMeta(valid, "best", "best", "NaN");
        refusedMeta(valid, "bad_epochs", "bad_epochs", "-1");
        refusedMeta(valid, "history", "history", "1,2,3");
        refusedMeta(valid, "history", "history", "");
        refusedMeta(valid, "optimizer", "optimizer", "SGD");
        refusedMeta(valid, "optimizer_hyperparameters", "optimizer_hyperparameters", "beta1=0.5");
        refused(valid, "step", m -> m.remove("step"), ts -> { });
        refused(valid, "model.l1.weight", m -> { }, ts -> ts.get("model.l1.weight").setFlat(3, Double.NaN));
        refused(valid, "model.l1.bias", m -> { }, ts -> ts.remove("model.l1.bias"));
        refused(valid, "model.l2.weight", m -> { }, ts -> ts.put("model.l2.weight", Tensor.zeros(DType.F32, 3, 3)));
        refused(valid, "model.extra", m -> { }, ts -> ts.put("model.extra", Tensor.zeros(DType.F32, 1)));
        refused(valid, "optimizer", m -> { }, ts -> ts.get("optimizer.0.exp_avg_sq").setFlat(0, -1));
        refused(valid, "optimizer", m -> { }, ts -> ts.remove("optimizer.1.exp_avg"));
        refused(valid, "optimizer", m -> { }, ts -> ts.put("optimizer.9.exp_avg", Tensor.zeros(DType.F32, 1)));
        refused(valid, "optimizer", m -> { }, ts -> ts.put("optimizer.lr", Tensor.scalar(DType.F64, Double.NaN)));
        refused(valid, "optimizer", m -> { }, ts -> ts.put("optimizer.lr", Tensor.scalar(DType.F64, -1)));
        refused(valid, "optimizer", m -> { }, ts -> ts.put("optimizer.0.step", Tensor.scalar(DType.F64, 1e300)));
        refused(valid, "optimizer.0.step", m -> { }, ts -> ts.put("optimizer.0.step", Tensor.scalar(DType.F64, 1e6)));
        refused(valid, "stray", m -> { }, ts -> ts.put("stray", Tensor.zeros(DType.F32, 1)));
    }

    @Test
    void anAdamCheckpointIsNotResumedIntoSgdUnlessAskedToStartTheOptimizerAfresh() throws IOException {
        Path valid = validCheckpoint();
        TrainerTest.Run r = run();
        SGD sgd = new SGD(r.model().parameters(), 0.1, 0.9);
        Trainer t = Trainer.builder(r.model(), sgd, r.train()).test(r.test()).epochs(3).generators(r.dropout())
                .schedule(Schedules.step(sgd, 1, 0.5)).progress(new java.io.PrintStream(new ByteArrayOutputStream()), false).build();
        CheckpointException e = assertThrows(CheckpointException.class, () -> t.resume(valid));
        assertEquals("optimizer", e.field());
        assertTrue(e.getMessage().contains("Adam") && e.getMessage().contains("SGD"), e.getMessage());
        Trainer fresh = Trainer.builder(r.model(), sgd, r.train()).test(r.test()).epochs(3).generators(r.dropout())
                .schedule(Schedules.step(sgd, 1, 0.5))
                .progress(new java.io.PrintStream(new ByteArrayOutputStream()), false).build();
        fresh.resume(valid, true);
        assertEquals(27, fresh.steps());
        assertTrue(sgd.stateDict().keySet().stream().noneMatch(k -> k.endsWith("momentum_buffer")),
                "the optimizer starts afresh");
    }
}
