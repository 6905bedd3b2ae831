package dev.lanes.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes the header JSON compactly, as the reference writer does: {@code __metadata__} first
 * (left out when empty), then one entry per tensor with the keys dtype, shape and data_offsets,
 * no whitespace; strings escape '"', '\' and control characters and keep every other character
 * as UTF-8; spaces pad the result to a multiple of 8 bytes.
 */
final class HeaderWriter {

    private HeaderWriter() {
    }

    /**
     * @param items the tensors in file order
     * @param metadata the metadata (may be empty)
     * @return the padded header bytes
     */
    static byte[] encode(List<WritePlan.Item> items, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            string(json, SafeTensors.METADATA_KEY).append(":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                string(json, e.getKey()).append(':');
                string(json, e.getValue());
            }
            json.append('}');
        }
        for (WritePlan.Item item : items) {
            if (json.length() > 1) {
                json.append(',');
            }
            string(json, item.name()).append(":{\"dtype\":\"").append(item.dtype()).append("\",\"shape\":[");
            int[] dims = item.tensor().dims();
            for (int i = 0; i < dims.length; i++) {
                json.append(i == 0 ? "" : ",").append(dims[i]);
            }
            json.append("],\"data_offsets\":[").append(item.begin()).append(',').append(item.end()).append("]}");
        }
        json.append('}');
        byte[] utf8 = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (utf8.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(utf8, padded);
        Arrays.fill(out, utf8.length, padded, (byte) ' ');
        return out;
    }

    /** Appends {@code s} as a JSON string. */
    private static StringBuilder string(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }

    /**
     * @throws IllegalArgumentException naming {@code what} if {@code s} has an unpaired surrogate
     *     (it has no UTF-8 form)
     */
    static void checkUnicode(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("SafeTensors.write: the " + what + " "
                        + SafeTensorsFormatException.quote(s) + " has an unpaired surrogate at index " + i);
            }
        }
    }
}
