package dev.lanes.io;

import java.io.IOException;

/**
 * A safetensors file that breaks a rule of the format, or that Lanes cannot represent. The
 * message names the file, the tensor (when the problem belongs to one) and the rule;
 * {@link #rule()} and {@link #tensor()} give the same facts to code.
 */
public final class SafeTensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The rules a file is checked against, each with the sentence its messages use. */
    public enum Rule {
        /** The file is shorter than the 8-byte header length. */
        FILE_TOO_SHORT("the file is shorter than the 8-byte header length"),
        /** The header length is over {@link SafeTensors#MAX_HEADER_BYTES}. */
        HEADER_TOO_LARGE("the header length is over the limit of " + SafeTensors.MAX_HEADER_BYTES + " bytes"),
        /** The header length runs past the end of the file. */
        HEADER_PAST_END("the header length runs past the end of the file"),
        /** The header bytes are not valid UTF-8. */
        HEADER_NOT_UTF8("the header is not valid UTF-8"),
        /** The header's JSON value is not an object (it must begin with '{'). */
        HEADER_NOT_OBJECT("the header is not a JSON object beginning with '{'"),
        /** The header is not valid JSON. */
        JSON_SYNTAX("the header is not valid JSON"),
        /** A JSON object has the same key twice (tensor names, entry keys, metadata keys). */
        DUPLICATE_KEY("a key appears twice in one JSON object"),
        /** A tensor name is the empty string. */
        EMPTY_NAME("a tensor name is empty"),
        /** An entry does not have exactly the keys dtype, shape and data_offsets. */
        ENTRY_KEYS("an entry must have exactly the keys dtype, shape and data_offsets"),
        /** A value has the wrong JSON type (dtype a string, shape and data_offsets arrays, metadata strings). */
        WRONG_TYPE("a value has the wrong JSON type"),
        /** The dtype is not one of the format's names. */
        UNKNOWN_DTYPE("the dtype is not a safetensors dtype"),
        /** A shape entry is not a non-negative integer. */
        BAD_SHAPE("shape entries must be non-negative integers"),
        /** data_offsets is not two non-negative integers {@code [begin, end]} with {@code begin <= end}. */
        BAD_OFFSETS("data_offsets must be two non-negative integers [begin, end] with begin <= end"),
        /** The element count or byte count does not fit in 64 bits. */
        SIZE_OVERFLOW("the element or byte count overflows 64 bits"),
        /** The data of the tensors, in order of offset, does not start at 0 and follow without gaps or overlaps. */
        OFFSETS_NOT_CONTIGUOUS("data_offsets must start at 0 and follow each other without gaps or overlaps"),
        /** end - begin differs from the element count times the dtype's size. */
        SIZE_MISMATCH("end - begin must equal the element count times the dtype size"),
        /** The file length is not 8 + header length + data length. */
        FILE_LENGTH("the file length must be 8 + header length + data length"),
        /** A valid file with a dtype Lanes does not read. */
        UNSUPPORTED_DTYPE("Lanes reads the dtypes F32, F64, F16 and BF16 only"),
        /** A valid file with a dimension or element count beyond what a Java array holds. */
        TOO_LARGE_FOR_LANES("a Lanes tensor holds at most " + SafeTensors.MAX_ELEMENTS
                + " elements and dimensions of at most " + Integer.MAX_VALUE),
        /**
         * The header lists more than {@link SafeTensors#MAX_TENSORS} tensors (this and the next two are
         * Lanes' limits, which keep the memory a header needs within a small multiple of its length).
         */
        TOO_MANY_TENSORS("Lanes reads at most " + SafeTensors.MAX_TENSORS + " tensors from one file"),
        /** The {@code __metadata__} map has more than {@link SafeTensors#MAX_METADATA_ENTRIES} keys. */
        TOO_MANY_METADATA_ENTRIES("Lanes reads at most " + SafeTensors.MAX_METADATA_ENTRIES
                + " metadata keys from one file"),
        /** A shape has more than {@link SafeTensors#MAX_RANK} dimensions. */
        TOO_MANY_DIMENSIONS("Lanes reads shapes of at most " + SafeTensors.MAX_RANK + " dimensions");

        private final String sentence;

        Rule(String sentence) {
            this.sentence = sentence;
        }

        /** @return the rule as its messages state it */
        public String sentence() {
            return sentence;
        }
    }

    private static final int MAX_QUOTED = 200;

    /** The rule broken. */
    private final Rule rule;
    /** The tensor, {@code "__metadata__"} or null. */
    private final String tensor;

    /**
     * @param source the file (or other source) the problem was found in
     * @param rule the rule broken
     * @param tensor the tensor name the problem belongs to, {@code "__metadata__"}, or null
     * @param detail what was found
     */
    SafeTensorsFormatException(String source, Rule rule, String tensor, String detail) {
        super(message(source, rule, tensor, detail));
        this.rule = rule;
        this.tensor = tensor;
    }

    private static String message(String source, Rule rule, String tensor, String detail) {
        StringBuilder m = new StringBuilder(source).append(": ");
        if (tensor != null) {
            m.append(SafeTensors.METADATA_KEY.equals(tensor) ? SafeTensors.METADATA_KEY
                    : "tensor " + quote(tensor)).append(": ");
        }
        return m.append(rule.sentence()).append(" (").append(detail).append(')').toString();
    }

    /** A name in quotes, cut after {@value #MAX_QUOTED} characters so that a huge name keeps the message short. */
    static String quote(String name) {
        return name.length() <= MAX_QUOTED ? "'" + name + "'"
                : "'" + name.substring(0, MAX_QUOTED) + "...' (" + name.length() + " characters)";
    }

    /** @return the rule the file breaks */
    public Rule rule() {
        return rule;
    }

    /** @return the tensor the problem belongs to ({@code "__metadata__"} for the metadata), or null */
    public String tensor() {
        return tensor;
    }
}
