package dev.lanes.io;

import static dev.lanes.io.SafeTensorsFormatException.quote;

import dev.lanes.io.SafeTensorsFormatException.Rule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict JSON parser for the one shape a safetensors header has:
 *
 * <pre>{@code
 * { "__metadata__": { "key": "value", ... },                       (optional, or null)
 *   "name": { "dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24] }, ... }
 * }</pre>
 *
 * <p>It follows RFC 8259 where the header can be valid (strings with every escape and surrogate
 * pairs, numbers in full JSON syntax, whitespace anywhere between tokens, nothing after the
 * object but whitespace) and stops at the first value whose type cannot be right, so it never
 * builds values the header has no use for and never recurses: any nesting past the three levels
 * above is rejected where it starts, in time linear in the header. Beyond JSON it requires the
 * header to begin with '{' (as the reference implementation does), unique keys in every object,
 * non-empty tensor names and exactly the three entry keys, and it holds the header to Lanes'
 * limits ({@link SafeTensors#MAX_TENSORS}, {@link SafeTensors#MAX_METADATA_ENTRIES},
 * {@link SafeTensors#MAX_RANK}) as it counts, so that nothing beyond them is ever built.
 */
final class HeaderParser {

    private final String text;
    private final String source;
    private int pos;
    /** The entry being parsed, named by syntax errors inside it. */
    private String current;

    private HeaderParser(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /**
     * @param text the header, already decoded from UTF-8
     * @param source the file, for messages
     * @return the entries in header order and the metadata
     * @throws SafeTensorsFormatException at the first violation
     */
    static Header parse(String text, String source) throws SafeTensorsFormatException {
        return new HeaderParser(text, source).header();
    }

    private Header header() throws SafeTensorsFormatException {
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw fail(Rule.HEADER_NOT_OBJECT, null, text.isEmpty() ? "the header is empty"
                    : "it begins with " + describe(0));
        }
        pos = 1;
        List<Header.Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Map<String, String> metadata = Map.of();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                current = null;
                String name = key();
                if (!names.add(name)) {
                    throw fail(Rule.DUPLICATE_KEY, name, "the name appears twice in the header");
                }
                if (name.equals(SafeTensors.METADATA_KEY)) {
                    current = name;
                    metadata = metadata();
                } else {
                    if (name.isEmpty()) {
                        throw fail(Rule.EMPTY_NAME, name, "the header has a tensor named \"\"");
                    }
                    if (entries.size() == SafeTensors.MAX_TENSORS) {
                        throw fail(Rule.TOO_MANY_TENSORS, null, "the header lists more than "
                                + SafeTensors.MAX_TENSORS + " tensors; the next one is " + quote(name));
                    }
                    current = name;
                    entries.add(entry(name));
                }
                if (!commaOr('}')) {
                    break;
                }
            }
        }
        current = null;
        skipWhitespace();
        if (pos < text.length()) {
            throw syntax(describe(pos) + " after the end of the header object");
        }
        return new Header(List.copyOf(entries), metadata);
    }

    /** The {@code __metadata__} value: an object of strings, or null for none. */
    private Map<String, String> metadata() throws SafeTensorsFormatException {
        if (peek() == 'n') {
            literal("null");
            return Map.of();
        }
        if (peek() != '{') {
            throw fail(Rule.WRONG_TYPE, SafeTensors.METADATA_KEY, "it must be an object of strings, found "
                    + valueKind());
        }
        pos++;
        Map<String, String> out = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        do {
            String k = key();
            if (peek() != '"') {
                throw fail(Rule.WRONG_TYPE, SafeTensors.METADATA_KEY, "the value of key " + quote(k)
                        + " must be a string, found " + valueKind());
            }
            String v = string();
            if (out.size() == SafeTensors.MAX_METADATA_ENTRIES && !out.containsKey(k)) {
                throw fail(Rule.TOO_MANY_METADATA_ENTRIES, SafeTensors.METADATA_KEY, "it has more than "
                        + SafeTensors.MAX_METADATA_ENTRIES + " keys; the next one is " + quote(k));
            }
            if (out.putIfAbsent(k, v) != null) {
                throw fail(Rule.DUPLICATE_KEY, SafeTensors.METADATA_KEY, "key " + quote(k) + " appears twice");
            }
        } while (commaOr('}'));
        return out;
    }

    /** One tensor's entry object. */
    private Header.Entry entry(String name) throws SafeTensorsFormatException {
        if (peek() != '{') {
            throw fail(Rule.WRONG_TYPE, name, "the entry must be an object, found " + valueKind());
        }
        pos++;
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
        } else {
            do {
                String k = key();
                switch (k) {
                    case "dtype" -> {
                        once(name, k, dtypeName);
                        if (peek() != '"') {
                            throw fail(Rule.WRONG_TYPE, name, "'dtype' must be a string, found " + valueKind());
                        }
                        dtypeName = string();
                    }
                    case "shape" -> {
                        once(name, k, shape);
                        shape = integers(name, k, Rule.BAD_SHAPE, SafeTensors.MAX_RANK);
                    }
                    case "data_offsets" -> {
                        once(name, k, offsets);
                        offsets = integers(name, k, Rule.BAD_OFFSETS, 2);
                    }
                    default -> throw fail(Rule.ENTRY_KEYS, name, "unknown key " + quote(k));
                }
            } while (commaOr('}'));
        }
        String missing = dtypeName == null ? "dtype" : shape == null ? "shape" : offsets == null ? "data_offsets" : null;
        if (missing != null) {
            throw fail(Rule.ENTRY_KEYS, name, "the key '" + missing + "' is missing");
        }
        SafeTensorsDType dtype = SafeTensorsDType.byName(dtypeName);
        if (dtype == null) {
            throw fail(Rule.UNKNOWN_DTYPE, name, "dtype " + quote(dtypeName));
        }
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw fail(Rule.BAD_OFFSETS, name, "data_offsets " + Arrays.toString(offsets));
        }
        return new Header.Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private void once(String name, String key, Object seen) throws SafeTensorsFormatException {
        if (seen != null) {
            throw fail(Rule.DUPLICATE_KEY, name, "the key '" + key + "' appears twice in the entry");
        }
    }

    /** An array of at most {@code max} non-negative integers; any other element breaks {@code rule}. */
    private long[] integers(String name, String key, Rule rule, int max) throws SafeTensorsFormatException {
        if (peek() != '[') {
            throw fail(Rule.WRONG_TYPE, name, "'" + key + "' must be an array, found " + valueKind());
        }
        pos++;
        long[] out = new long[4];
        int n = 0;
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return new long[0];
        }
        do {
            char c = peek();
            if (c != '-' && (c < '0' || c > '9')) {
                throw fail(rule, name, "'" + key + "' element " + n + " is " + valueKind()
                        + ", not a non-negative integer");
            }
            if (n == max) {
                throw rule == Rule.BAD_SHAPE
                        ? fail(Rule.TOO_MANY_DIMENSIONS, name, "the shape has more than " + max + " dimensions")
                        : fail(rule, name, "'" + key + "' has more than " + max + " elements");
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n] = integer(name, key, rule, n);
            n++;
        } while (commaOr(']'));
        return Arrays.copyOf(out, n);
    }

    /** A JSON number that must be a non-negative integer below 2^63. */
    private long integer(String name, String key, Rule rule, int index) throws SafeTensorsFormatException {
        int start = pos;
        boolean negative = text.charAt(pos) == '-';
        if (negative) {
            pos++;
        }
        int digitsStart = pos;
        long value = 0;
        boolean overflow = false;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            int digit = text.charAt(pos) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                overflow = true;
            } else {
                value = value * 10 + digit;
            }
            pos++;
        }
        if (pos == digitsStart) {
            throw syntax("a '-' without digits at character " + start);
        }
        if (text.charAt(digitsStart) == '0' && pos - digitsStart > 1) {
            throw syntax("a number with a leading zero at character " + start);
        }
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            digits("a fraction without digits", start);
            integral = false;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            digits("an exponent without digits", start);
            integral = false;
        }
        String lexeme = text.substring(start, Math.min(pos, start + 40)) + (pos - start > 40 ? "..." : "");
        if (negative || !integral) {
            throw fail(rule, name, "'" + key + "' element " + index + " is " + lexeme
                    + ", not a non-negative integer");
        }
        if (overflow) {
            throw fail(rule, name, "'" + key + "' element " + index + " is " + lexeme + ", over 2^63 - 1");
        }
        return value;
    }

    private void digits(String what, int start) throws SafeTensorsFormatException {
        int from = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == from) {
            throw syntax(what + " at character " + start);
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** An object key and its colon, leaving the position at the value. */
    private String key() throws SafeTensorsFormatException {
        skipWhitespace();
        if (peek() != '"') {
            throw syntax("expected a string key at character " + pos + ", found " + describe(pos));
        }
        String k = string();
        skipWhitespace();
        if (peek() != ':') {
            throw syntax("expected ':' at character " + pos + ", found " + describe(pos));
        }
        pos++;
        skipWhitespace();
        return k;
    }

    /**
     * After a member or element: consumes a ',' (true, another one follows) or {@code close}
     * (false, the object or array ends).
     */
    private boolean commaOr(char close) throws SafeTensorsFormatException {
        skipWhitespace();
        char c = peek();
        if (c == ',') {
            pos++;
            skipWhitespace();
            return true;
        }
        if (c == close) {
            pos++;
            return false;
        }
        throw syntax("expected ',' or '" + close + "' at character " + pos + ", found " + describe(pos));
    }

    /** A string token starting at the current '"'. */
    private String string() throws SafeTensorsFormatException {
        int start = pos;
        pos++;
        StringBuilder sb = null;
        int run = pos;
        while (true) {
            if (pos >= text.length()) {
                throw syntax("the string at character " + start + " is not closed");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(run, pos) : sb.append(text, run, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) {
                throw syntax("an unescaped control character " + describe(pos) + " in the string at character "
                        + start);
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(text, run, pos);
                escape(sb);
                run = pos;
            } else {
                pos++;
            }
        }
    }

    /** One escape sequence at the current '\', appended decoded. */
    private void escape(StringBuilder sb) throws SafeTensorsFormatException {
        int at = pos;
        if (pos + 1 >= text.length()) {
            throw syntax("an unfinished escape at character " + at);
        }
        char e = text.charAt(pos + 1);
        pos += 2;
        switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                char u = hex4(at);
                if (Character.isHighSurrogate(u)) {
                    if (pos + 1 < text.length() && text.charAt(pos) == '\\' && text.charAt(pos + 1) == 'u') {
                        pos += 2;
                        char low = hex4(at);
                        if (!Character.isLowSurrogate(low)) {
                            throw syntax("an unpaired surrogate escape at character " + at);
                        }
                        sb.append(u).append(low);
                    } else {
                        throw syntax("an unpaired surrogate escape at character " + at);
                    }
                } else if (Character.isLowSurrogate(u)) {
                    throw syntax("an unpaired surrogate escape at character " + at);
                } else {
                    sb.append(u);
                }
            }
            default -> throw syntax("an invalid escape " + describe(pos - 1) + " at character " + at);
        }
    }

    private char hex4(int at) throws SafeTensorsFormatException {
        if (pos + 4 > text.length()) {
            throw syntax("an unfinished \\u escape at character " + at);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            char h = text.charAt(pos + i);
            int d = h >= '0' && h <= '9' ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0) {
                throw syntax("a \\u escape without 4 hex digits at character " + at);
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private void literal(String word) throws SafeTensorsFormatException {
        if (!text.startsWith(word, pos)) {
            throw syntax("an invalid literal at character " + pos);
        }
        pos += word.length();
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The character at the position; the end of the header here is a syntax error (a token is due). */
    private char peek() throws SafeTensorsFormatException {
        if (pos >= text.length()) {
            throw syntax("the header ends before the JSON is complete");
        }
        return text.charAt(pos);
    }

    /**
     * The kind of JSON value starting at the position, for a message about a value of the wrong
     * type; a character no JSON value starts with is a syntax error.
     */
    private String valueKind() throws SafeTensorsFormatException {
        char c = peek();
        return switch (c) {
            case '{' -> "an object";
            case '[' -> "an array";
            case '"' -> "a string";
            case 't', 'f' -> {
                literal(c == 't' ? "true" : "false");
                yield "a boolean";
            }
            case 'n' -> {
                literal("null");
                yield "null";
            }
            default -> {
                if (c == '-' || isDigit(c)) {
                    yield "a number";
                }
                throw syntax("expected a value at character " + pos + ", found " + describe(pos));
            }
        };
    }

    private String describe(int at) {
        if (at >= text.length()) {
            return "the end of the header";
        }
        int cp = text.codePointAt(at);
        return cp >= 0x20 && cp < 0x7f ? "'" + (char) cp + "'" : String.format("U+%04X", cp);
    }

    private SafeTensorsFormatException syntax(String detail) {
        return fail(Rule.JSON_SYNTAX, current, detail);
    }

    private SafeTensorsFormatException fail(Rule rule, String tensor, String detail) {
        return new SafeTensorsFormatException(source, rule, tensor, detail);
    }
}
