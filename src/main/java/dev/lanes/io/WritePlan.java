package dev.lanes.io;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The layout of a file to write: the tensors in file order with their data offsets, the header
 * bytes (padded) and the data length. Checks the arguments, so that nothing is written for a
 * map that cannot be saved.
 *
 * <p>The order: F64 tensors first, then F32, each group in the iteration order of the map. Data
 * then follows the header without padding, and every tensor's data starts at a multiple of its
 * element size in the file (8 + header length is a multiple of 8), like the reference writer,
 * which orders by alignment and then by name. The header lists the tensors in the same order.
 *
 * @param items the tensors in file order
 * @param header the header bytes, padded with spaces to a multiple of 8
 * @param dataLength the bytes of data after the header
 */
record WritePlan(List<Item> items, byte[] header, long dataLength) {

    /**
     * One tensor in the file.
     *
     * @param name its name
     * @param tensor the tensor
     * @param begin the first byte of its data, relative to the data buffer
     * @param end one past its last byte
     */
    record Item(String name, Tensor tensor, long begin, long end) {

        /** @return the safetensors dtype name */
        String dtype() {
            return tensor.dtype() == DType.F32 ? "F32" : "F64";
        }
    }

    /** @return the length of the whole file */
    long fileLength() {
        return 8 + header.length + dataLength;
    }

    /**
     * @param tensors name to tensor
     * @param metadata key to value, or null for none
     * @return the plan
     * @throws IllegalArgumentException naming the tensor or key when a name is empty or
     *     {@code "__metadata__"}, a string is not valid Unicode, or the header would be over the
     *     limit readers accept
     * @throws NullPointerException for a null map, name, tensor, key or value
     */
    static WritePlan of(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        Map<String, String> meta = new LinkedHashMap<>();
        if (metadata != null) {
            metadata.forEach((k, v) -> {
                HeaderWriter.checkUnicode("metadata key", Objects.requireNonNull(k, "metadata key"));
                HeaderWriter.checkUnicode("metadata value of " + SafeTensorsFormatException.quote(k),
                        Objects.requireNonNull(v, () -> "metadata value of '" + k + "'"));
                meta.put(k, v);
            });
        }
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        tensors.forEach((name, t) -> {
            Objects.requireNonNull(name, "tensor name");
            Objects.requireNonNull(t, () -> "tensor '" + name + "'");
            if (name.isEmpty() || name.equals(SafeTensors.METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.write: the tensor name '" + name
                        + "' is not allowed (non-empty, not " + SafeTensors.METADATA_KEY + ")");
            }
            HeaderWriter.checkUnicode("tensor name", name);
            order.add(Map.entry(name, t));
        });
        order.sort(Comparator.comparingInt((Map.Entry<String, Tensor> e) -> e.getValue().dtype() == DType.F64 ? 0 : 1));
        List<Item> items = new ArrayList<>(order.size());
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * (t.dtype() == DType.F32 ? Float.BYTES : Double.BYTES);
            items.add(new Item(e.getKey(), t, offset, offset + bytes));
            offset += bytes;
        }
        byte[] header = HeaderWriter.encode(items, meta);
        if (header.length > SafeTensors.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("SafeTensors.write: the header would be " + header.length
                    + " bytes, over the limit of " + SafeTensors.MAX_HEADER_BYTES + " that readers accept");
        }
        return new WritePlan(List.copyOf(items), header, offset);
    }
}
