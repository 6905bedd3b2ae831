package dev.lanes.examples;

import dev.lanes.data.Vocabulary;
import dev.lanes.tensor.Generator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Mini-batches of source/target id sequences for an encoder-decoder. Sources are grouped by
 * length, so a batch's sources need no padding and the encoder's final state is exactly the state
 * after each sequence's last word. Targets are padded at the end: the decoder reads
 * {@code <bos> w1 .. wk <pad> ..} and is trained to predict {@code w1 .. wk <eos> <pad> ..}, the
 * padding being left out of the loss.
 */
final class PairBatches {

    /**
     * One translation pair.
     *
     * @param id     an identifier for reports (the number)
     * @param source source ids, at least one
     * @param target target ids, at least one, without start or end tokens
     */
    record Pair(int id, int[] source, int[] target) {
    }

    /**
     * A batch, every array time-major (element {@code t * size + b}).
     *
     * @param pairs      the pairs, in batch order
     * @param source     source ids {@code [srcSteps * size]}
     * @param srcSteps   the common source length
     * @param decoderIn  {@code <bos>} then the target words, padded {@code [decSteps * size]}
     * @param decoderOut the target words then {@code <eos>}, padded {@code [decSteps * size]}
     * @param decSteps   the longest target length plus one
     */
    record Batch(List<Pair> pairs, int[] source, int srcSteps, int[] decoderIn, int[] decoderOut, int decSteps) {

        /** @return the number of pairs */
        int size() {
            return pairs.size();
        }
    }

    private PairBatches() {
    }

    /**
     * Cuts the pairs into batches of at most {@code batchSize}, each of one source length. With a
     * generator, the pairs are shuffled within each length and the batches' order is shuffled;
     * without one, the order is kept.
     *
     * @param pairs     the pairs
     * @param batchSize the largest batch, >= 1
     * @param shuffle   the source of the shuffles, or null for none
     * @return the batches
     */
    static List<Batch> of(List<Pair> pairs, int batchSize, Generator shuffle) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("PairBatches: batch size must be >= 1, got " + batchSize);
        }
        Map<Integer, List<Pair>> byLength = new TreeMap<>();
        for (Pair p : pairs) {
            if (p.source().length == 0 || p.target().length == 0) {
                throw new IllegalArgumentException("PairBatches: pair " + p.id() + " has an empty sequence");
            }
            byLength.computeIfAbsent(p.source().length, k -> new ArrayList<>()).add(p);
        }
        List<Batch> batches = new ArrayList<>();
        for (List<Pair> group : byLength.values()) {
            if (shuffle != null) {
                shuffle(group, shuffle);
            }
            for (int from = 0; from < group.size(); from += batchSize) {
                batches.add(batch(group.subList(from, Math.min(group.size(), from + batchSize))));
            }
        }
        if (shuffle != null) {
            shuffle(batches, shuffle);
        }
        return batches;
    }

    /** Fisher-Yates. */
    private static <T> void shuffle(List<T> list, Generator gen) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = gen.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private static Batch batch(List<Pair> pairs) {
        int size = pairs.size();
        int srcSteps = pairs.get(0).source().length;
        int decSteps = 0;
        for (Pair p : pairs) {
            decSteps = Math.max(decSteps, p.target().length + 1);
        }
        int[] source = new int[srcSteps * size];
        int[] in = new int[decSteps * size];
        int[] out = new int[decSteps * size];
        for (int b = 0; b < size; b++) {
            Pair p = pairs.get(b);
            for (int t = 0; t < srcSteps; t++) {
                source[t * size + b] = p.source()[t];
            }
            int[] words = p.target();
            for (int t = 0; t < decSteps; t++) {
                in[t * size + b] = t == 0 ? Vocabulary.BOS : t <= words.length ? words[t - 1] : Vocabulary.PAD;
                out[t * size + b] = t < words.length ? words[t] : t == words.length ? Vocabulary.EOS : Vocabulary.PAD;
            }
        }
        return new Batch(List.copyOf(pairs), source, srcSteps, in, out, decSteps);
    }
}
