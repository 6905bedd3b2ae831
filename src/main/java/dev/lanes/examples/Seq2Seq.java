package dev.lanes.examples;

import dev.lanes.autograd.NoGrad;
import dev.lanes.autograd.Ops;
import dev.lanes.autograd.SequenceOutput;
import dev.lanes.data.Vocabulary;
import dev.lanes.nn.Embedding;
import dev.lanes.nn.LSTM;
import dev.lanes.nn.Layer;
import dev.lanes.nn.Linear;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import java.util.Arrays;

/**
 * An LSTM encoder-decoder (Sutskever, Vinyals and Le 2014) over word ids. The encoder LSTM reads
 * the source words' embeddings; its final hidden and cell states start the decoder LSTM, which
 * reads the target words' embeddings (the start token first) and predicts each next word through
 * a linear layer. Training uses teacher forcing ({@link #logits}); translation is greedy
 * ({@link #translate}). Token ids and sequences are time-major: element {@code t * B + b} is step
 * t of sequence b. Parameters: {@code source.*}, {@code encoder.*}, {@code target.*},
 * {@code decoder.*}, {@code head.*}.
 */
final class Seq2Seq extends Layer {

    private final Embedding source;
    private final LSTM encoder;
    private final Embedding target;
    private final LSTM decoder;
    private final Linear head;

    /**
     * @param sourceVocab source vocabulary size
     * @param targetVocab target vocabulary size
     * @param embedding   embedding size of both languages
     * @param hidden      hidden size of both LSTMs
     * @param gen         the source of the initial values
     */
    Seq2Seq(int sourceVocab, int targetVocab, int embedding, int hidden, Generator gen) {
        this.source = registerModule("source", new Embedding(sourceVocab, embedding, gen));
        this.encoder = registerModule("encoder", new LSTM(embedding, hidden, gen));
        this.target = registerModule("target", new Embedding(targetVocab, embedding, gen));
        this.decoder = registerModule("decoder", new LSTM(embedding, hidden, gen));
        this.head = registerModule("head", new Linear(hidden, targetVocab, gen));
    }

    /** @return the encoder's final (h, c), each {@code [1, B, hidden]} */
    private SequenceOutput encode(int[] src, int steps, int batch) {
        return encoder.forward(source.lookup(src, steps, batch), null, null);
    }

    /**
     * Teacher-forced scores of every next word.
     *
     * @param src        source ids {@code [S * B]}, time-major, no padding
     * @param srcSteps   S
     * @param decoderIn  decoder input ids {@code [U * B]}, time-major: start token, then the
     *                   target words (padding after the end does not affect earlier steps)
     * @param decSteps   U
     * @param batch      B
     * @return scores {@code [U * B, targetVocab]}, row {@code t * B + b} predicting the word
     *         after {@code decoderIn[t * B + b]}
     */
    Tensor logits(int[] src, int srcSteps, int[] decoderIn, int decSteps, int batch) {
        SequenceOutput enc = encode(src, srcSteps, batch);
        SequenceOutput dec = decoder.forward(target.lookup(decoderIn, decSteps, batch), enc.hN(), enc.cN());
        Tensor out = head.forward(dec.output());
        return Ops.reshape(out, decSteps * batch, out.size(2));
    }

    /**
     * Greedy decoding: starts from the start token and feeds back the most likely word until
     * every sequence has produced the end token or {@code maxSteps} words.
     *
     * @param src      source ids {@code [S * B]}, time-major, no padding
     * @param srcSteps S
     * @param batch    B
     * @param maxSteps the most words to produce per sequence
     * @return per sequence the produced ids, without the end token
     */
    int[][] translate(int[] src, int srcSteps, int batch, int maxSteps) {
        int[][] out = new int[batch][];
        int[][] produced = new int[batch][maxSteps];
        int[] length = new int[batch];
        boolean[] done = new boolean[batch];
        try (NoGrad ignored = NoGrad.enter()) {
            SequenceOutput state = encode(src, srcSteps, batch);
            Tensor h = state.hN();
            Tensor c = state.cN();
            int[] tokens = new int[batch];
            Arrays.fill(tokens, Vocabulary.BOS);
            int remaining = batch;
            for (int step = 0; step < maxSteps && remaining > 0; step++) {
                SequenceOutput dec = decoder.forward(target.lookup(tokens, 1, batch), h, c);
                h = dec.hN();
                c = dec.cN();
                Tensor scores = head.forward(Ops.reshape(dec.output(), batch, h.size(2)));
                int[] best = Ops.max(scores, 1, false).indices();
                for (int b = 0; b < batch; b++) {
                    tokens[b] = best[b];
                    if (done[b]) {
                        continue;
                    }
                    if (best[b] == Vocabulary.EOS) {
                        done[b] = true;
                        remaining--;
                    } else {
                        produced[b][length[b]++] = best[b];
                    }
                }
            }
        }
        for (int b = 0; b < batch; b++) {
            out[b] = Arrays.copyOf(produced[b], length[b]);
        }
        return out;
    }
}
