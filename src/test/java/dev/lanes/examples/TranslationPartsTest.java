package dev.lanes.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.autograd.Losses;
import dev.lanes.autograd.Ops;
import dev.lanes.data.Vocabulary;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The translation example's parts without training: batches, the masked loss, the model's shapes, flags. */
class TranslationPartsTest {

    private static final int P = Vocabulary.PAD;
    private static final int B = Vocabulary.BOS;
    private static final int E = Vocabulary.EOS;

    @Test
    void batchesGroupSourcesByLengthAndPadTargetsAtTheEnd() {
        List<PairBatches.Pair> pairs = List.of(
                new PairBatches.Pair(1, new int[] {10, 11}, new int[] {20}),
                new PairBatches.Pair(2, new int[] {12}, new int[] {21, 22}),
                new PairBatches.Pair(3, new int[] {13, 14}, new int[] {23, 24, 25}));
        List<PairBatches.Batch> batches = PairBatches.of(pairs, 8, null);
        assertEquals(2, batches.size());
        PairBatches.Batch one = batches.get(0);
        assertEquals(1, one.srcSteps());
        assertArrayEquals(new int[] {12}, one.source());
        assertArrayEquals(new int[] {B, 21, 22}, one.decoderIn());
        assertArrayEquals(new int[] {21, 22, E}, one.decoderOut());
        PairBatches.Batch two = batches.get(1);
        assertEquals(2, two.size());
        assertArrayEquals(new int[] {10, 13, 11, 14}, two.source(), "time-major");
        assertEquals(4, two.decSteps());
        assertArrayEquals(new int[] {B, B, 20, 23, P, 24, P, 25}, two.decoderIn());
        assertArrayEquals(new int[] {20, 23, E, 24, P, 25, P, E}, two.decoderOut());
    }

    @Test
    void shuffledBatchesCoverEveryPairOnce() {
        List<PairBatches.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pairs.add(new PairBatches.Pair(i, new int[1 + i % 3], new int[] {5}));
        }
        Set<Integer> seen = new HashSet<>();
        for (PairBatches.Batch b : PairBatches.of(pairs, 7, new Generator(3))) {
            assertTrue(b.size() <= 7);
            for (PairBatches.Pair p : b.pairs()) {
                assertTrue(seen.add(p.id()));
                assertEquals(b.srcSteps(), p.source().length);
            }
        }
        assertEquals(50, seen.size());
    }

    @Test
    void maskedCrossEntropyIsCrossEntropyOverTheKeptRows() {
        Tensor logits = Tensor.randn(new Generator(1), DType.F64, 4, 5).requiresGrad(true);
        Tensor masked = MaskedCrossEntropy.apply(logits, new int[] {3, P, 1, P}, P);
        Tensor kept = Ops.cat(List.of(Ops.narrow(logits, 0, 0, 1), Ops.narrow(logits, 0, 2, 1)), 0);
        assertEquals(Losses.crossEntropy(kept, 3, 1).item(), masked.item(), 1e-12);
        masked.backward();
        for (int c = 0; c < 5; c++) {
            assertEquals(0, logits.grad().get(1, c), 0.0);
            assertEquals(0, logits.grad().get(3, c), 0.0);
        }
        assertThrows(IllegalArgumentException.class, () -> MaskedCrossEntropy.apply(logits, new int[] {P, P, P, P}, P));
        assertThrows(IllegalArgumentException.class, () -> MaskedCrossEntropy.apply(logits, new int[] {1, 2}, P));
    }

    @Test
    void seq2seqShapes() {
        Seq2Seq model = new Seq2Seq(7, 9, 4, 6, new Generator(2));
        Tensor logits = model.logits(new int[] {3, 4, 5, 6}, 2, new int[] {B, B, 5, 6, 7, 8}, 3, 2);
        assertArrayEquals(new int[] {6, 9}, logits.dims());
        int[][] out = model.translate(new int[] {3, 4, 5, 6}, 2, 2, 5);
        assertEquals(2, out.length);
        assertTrue(out[0].length <= 5 && out[1].length <= 5);
    }

    @Test
    void flagsParseAndComplain() {
        List<Flags.Flag> declared = List.of(new Flags.Flag("steps", "10", "steps"), new Flags.Flag("lr", "0.1", "lr"));
        Flags f = new Flags("x", declared).parse(new String[] {"--steps", "20", "--lr=0.5"});
        assertEquals(20, f.integer("steps", 1, 100));
        assertEquals(0.5, f.real("lr", 0, 1));
        assertTrue(new Flags("x", declared).parse(new String[] {"--help"}).help());
        assertThrows(IllegalArgumentException.class, () -> new Flags("x", declared).parse(new String[] {"--nope", "1"}));
        assertThrows(IllegalArgumentException.class, () -> new Flags("x", declared).parse(new String[] {"--steps"}));
        assertThrows(IllegalArgumentException.class,
                () -> new Flags("x", declared).parse(new String[] {"--steps", "abc"}).integer("steps", 1, 100));
        assertThrows(IllegalArgumentException.class,
                () -> new Flags("x", declared).parse(new String[] {"--lr", "0"}).real("lr", 0, 1));
    }
}
