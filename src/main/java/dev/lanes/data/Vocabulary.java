package dev.lanes.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A word-level vocabulary: words to token ids and back. Ids 0, 1 and 2 are the special tokens
 * {@value #PAD_TOKEN} (padding), {@value #BOS_TOKEN} (start of a sequence) and
 * {@value #EOS_TOKEN} (end of a sequence); the given words follow from id 3 in their order.
 * Immutable.
 */
public final class Vocabulary {

    /** The id of the padding token. */
    public static final int PAD = 0;
    /** The id of the start-of-sequence token. */
    public static final int BOS = 1;
    /** The id of the end-of-sequence token. */
    public static final int EOS = 2;
    /** The padding token's text. */
    public static final String PAD_TOKEN = "<pad>";
    /** The start-of-sequence token's text. */
    public static final String BOS_TOKEN = "<bos>";
    /** The end-of-sequence token's text. */
    public static final String EOS_TOKEN = "<eos>";

    private final List<String> words;
    private final Map<String, Integer> ids;

    /**
     * @param words the words, distinct, non-empty, without spaces and none a special token
     */
    public Vocabulary(List<String> words) {
        if (words == null) {
            throw new NullPointerException("Vocabulary: the word list is null");
        }
        List<String> all = new ArrayList<>(List.of(PAD_TOKEN, BOS_TOKEN, EOS_TOKEN));
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            index.put(all.get(i), i);
        }
        for (String w : words) {
            if (w == null || w.isEmpty() || w.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("Vocabulary: a word must be non-empty and without whitespace, got '"
                        + w + "'");
            }
            if (index.putIfAbsent(w, all.size()) != null) {
                throw new IllegalArgumentException("Vocabulary: the word '" + w + "' is given twice or is a special"
                        + " token");
            }
            all.add(w);
        }
        this.words = List.copyOf(all);
        this.ids = Map.copyOf(index);
    }

    /** @return the number of tokens, the special ones included */
    public int size() {
        return words.size();
    }

    /**
     * @param word a word of the vocabulary (or a special token's text)
     * @return its id
     */
    public int id(String word) {
        Integer id = ids.get(word);
        if (id == null) {
            throw new IllegalArgumentException("Vocabulary: unknown word '" + word + "'");
        }
        return id;
    }

    /**
     * @param id a token id in [0, size)
     * @return its word (or a special token's text)
     */
    public String word(int id) {
        if (id < 0 || id >= words.size()) {
            throw new IllegalArgumentException("Vocabulary: id " + id + " is out of range [0, " + words.size() + ")");
        }
        return words.get(id);
    }

    /** @return the ids of {@code sentence}'s words, in order */
    public int[] encode(List<String> sentence) {
        if (sentence == null) {
            throw new NullPointerException("Vocabulary.encode: the sentence is null");
        }
        int[] out = new int[sentence.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(sentence.get(i));
        }
        return out;
    }

    /**
     * The words of the ids up to the first {@link #EOS} (excluded), for reading model output.
     *
     * @param tokenIds token ids
     * @return their words, special tokens other than EOS shown as their text
     */
    public List<String> decode(int[] tokenIds) {
        if (tokenIds == null) {
            throw new NullPointerException("Vocabulary.decode: the ids are null");
        }
        List<String> out = new ArrayList<>();
        for (int id : tokenIds) {
            if (id == EOS) {
                break;
            }
            out.add(word(id));
        }
        return out;
    }

    /** @return all tokens by id, special tokens first */
    public List<String> tokens() {
        return words;
    }
}
