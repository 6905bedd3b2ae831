package dev.lanes.io;

import dev.lanes.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * The contents of a safetensors file: its tensors and its {@code __metadata__}, both unmodifiable
 * and in the order the header lists them (the order of the data in the file may differ; it
 * carries no meaning).
 *
 * <p>The tensors own their storage: once read, they no longer depend on the file, which may then
 * change or be deleted. A read that noticed the file change while it was being read throws
 * {@link FileChangedException} instead of returning a result that could mix old and new bytes;
 * {@link SafeTensors} describes what is noticed.
 *
 * @param tensors tensor name to tensor; each tensor has its own storage
 * @param metadata metadata key to value, empty when the file has none
 */
public record SafeTensorsFile(SequencedMap<String, Tensor> tensors, SequencedMap<String, String> metadata) {

    /** Keeps unmodifiable copies of both maps, in their order. */
    public SafeTensorsFile {
        tensors = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(metadata));
    }
}
