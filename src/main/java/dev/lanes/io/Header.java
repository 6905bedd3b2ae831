package dev.lanes.io;

import java.util.List;
import java.util.Map;

/**
 * A parsed safetensors header: the entries in the order the JSON lists them, and the metadata.
 * Parsing checks the JSON and the types of the values; {@link LayoutCheck} checks the sizes and
 * offsets against the file.
 *
 * @param entries the tensors, in header order, names unique and non-empty
 * @param metadata the {@code __metadata__} map in header order (empty when absent)
 */
record Header(List<Entry> entries, Map<String, String> metadata) {

    /**
     * One tensor's entry.
     *
     * @param name the tensor name
     * @param dtype its element type
     * @param shape its sizes, each >= 0
     * @param begin the first byte of its data, relative to the start of the data buffer
     * @param end one past its last byte
     */
    record Entry(String name, SafeTensorsDType dtype, long[] shape, long begin, long end) {
    }
}
