package dev.lanes.io;

import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format, strictly.
 *
 * <p>A file is an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON mapping
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional
 * {@code "__metadata__"} map of strings), then the data buffer: each tensor's values
 * little-endian and row-major at its offsets.
 *
 * <pre>{@code
 * SafeTensors.write(path, model.stateDict(), Map.of("format", "pt"));
 * model.loadStateDict(SafeTensors.read(path));
 * }</pre>
 *
 * <p><b>Reading</b> opens the file read-only and never changes it. A path that names anything
 * but a regular file (a directory, a FIFO, a device) is refused with
 * {@link NotRegularFileException} before it is opened. A file of at most
 * {@link #MAX_HEAP_READ_BYTES} is read into the heap in one pass; a larger one is mapped into
 * memory (files of any size; one tensor is limited to {@link #MAX_ELEMENTS} elements, as a Java
 * array is). F32 and F64 are read as they are, F16 and BF16 widened exactly to F32. The whole
 * file is validated before any tensor is made, and every violation is a
 * {@link SafeTensorsFormatException} naming the file, the tensor and the rule
 * ({@link SafeTensorsFormatException.Rule} lists them): lengths (header at most
 * {@link #MAX_HEADER_BYTES}, checked before it is read; file length exactly 8 + N + data),
 * strict UTF-8 and JSON (an object at the top; no repeated key in any object), entries with
 * exactly dtype, shape and data_offsets of the right types, known dtypes, non-negative integer
 * sizes whose element and byte counts do not overflow, and offsets that, in order of offset,
 * start at 0 and leave no gap or overlap, each spanning exactly its tensor's bytes. Other dtypes
 * of the format (I64, I32, U8, BOOL, ...) are validated and then refused by name.
 *
 * <p><b>Limits.</b> Beyond the format's own header limit, a file lists at most
 * {@link #MAX_TENSORS} tensors and {@link #MAX_METADATA_ENTRIES} metadata keys, and a shape has
 * at most {@link #MAX_RANK} dimensions; each is checked as the header is parsed, before anything
 * proportional to it is built, so that whatever a header declares, reading it needs no more heap
 * than a small multiple of its length (plus the tensors, whose bytes the file must hold).
 *
 * <p><b>A file that changes while it is read</b>, because another process truncates, extends or
 * rewrites it, raises {@link FileChangedException}: never an {@link Error}, and never a result
 * that mixes old and new bytes where the change was noticed. The file's size, modification time
 * and status-change time are recorded when it is opened and compared after a heap read, and,
 * for a mapped file, after the header and after each tensor is copied out of it; touching a
 * mapped page that a truncation took away raises the same exception. Replacing the file by
 * renaming another one over it, as {@link #write} does, is not a change: the reader goes on with
 * the file it opened. Time stamps have the granularity of the file system, so an overwrite in
 * place that keeps the length and lands within that granularity of the open can go unnoticed;
 * a writer that readers must never see half-done should replace the file atomically, as
 * {@link #write} does. {@link #decode} reads a buffer the caller owns, which must not change
 * while it is decoded.
 *
 * <p><b>Writing</b> stores F32 and F64 tensors, F64 first and then F32, each group in the map's
 * order, so that every tensor's data is aligned to its element size; the header lists them in
 * that order, compact, padded with spaces to a multiple of 8. The file is replaced atomically:
 * a temporary file in the same directory is written, forced to the device and renamed over the
 * target, which is never left half-written.
 *
 * <p>Readers must not rely on the order of the header or of the data; this one returns the
 * tensors in header order.
 */
public final class SafeTensors {

    /** The largest header accepted, in bytes (as in the reference implementation). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /**
     * Files of at most this many bytes (64 MiB) are read into the heap in one pass and decoded
     * from there; larger files are mapped, so that reading them needs no more heap than their
     * tensors.
     */
    public static final long MAX_HEAP_READ_BYTES = 64L << 20;

    /**
     * The most dimensions a tensor's shape may have (64): as many as NumPy 2 allows and
     * PyTorch's reductions handle.
     */
    public static final int MAX_RANK = 64;

    /**
     * The most tensors one file may list (131072): far more than a model's state dict puts in one
     * file. Every tensor, even an empty one, costs the reader a few hundred bytes of heap, so the
     * limit is what keeps a header of millions of empty tensors from costing gigabytes.
     */
    public static final int MAX_TENSORS = 1 << 17;

    /** The most keys the {@value #METADATA_KEY} map of one file may have (65536). */
    public static final int MAX_METADATA_ENTRIES = 1 << 16;

    /** The most elements one tensor may have: the largest Java array the JVMs allocate. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** The header key of the metadata map, never a tensor name. */
    public static final String METADATA_KEY = "__metadata__";

    private SafeTensors() {
    }

    /**
     * Reads a file's tensors, for example to load a state dict.
     *
     * @param path the file
     * @return tensor name to tensor, in header order; a new map the caller may change
     * @throws SafeTensorsFormatException if the file breaks a rule of the format or holds a tensor
     *     Lanes cannot represent
     * @throws IOException if the file cannot be read
     */
    public static Map<String, Tensor> read(Path path) throws IOException {
        return new LinkedHashMap<>(readFile(path).tensors());
    }

    /**
     * Reads a file's tensors and metadata.
     *
     * @param path the file
     * @return its contents
     * @throws SafeTensorsFormatException if the file breaks a rule of the format or holds a tensor
     *     Lanes cannot represent
     * @throws NotRegularFileException if the path names a directory, FIFO, socket or device
     * @throws FileChangedException if another process changed the file while it was being read
     * @throws IOException if the file cannot be read
     */
    public static SafeTensorsFile readFile(Path path) throws IOException {
        return readFile(path, MAX_HEAP_READ_BYTES, WatchedFile.Hook.NONE);
    }

    /**
     * {@link #readFile(Path)} with the size up to which a file is read into the heap instead of
     * mapped, and a hook called right after the open and, for a mapped file, before each tensor
     * is copied out of it, for tests.
     */
    static SafeTensorsFile readFile(Path path, long maxHeapReadBytes, WatchedFile.Hook hook) throws IOException {
        try (WatchedFile file = WatchedFile.open(path, "a safetensors file")) {
            long size = file.size();
            if (size < 8) {
                throw SafeTensorsReader.tooShort(file.source(), size);
            }
            hook.at("open");
            if (size <= maxHeapReadBytes) {
                byte[] bytes = file.readAll();
                return SafeTensorsReader.read(MemorySegment.ofArray(bytes), file.source());
            }
            return readMapped(file, hook);
        }
    }

    /**
     * Reads a mapped file, checking before and after every copy out of it that the file is as it
     * was when it was opened, and reporting an access to a page that the file no longer has as
     * the change it is.
     */
    private static SafeTensorsFile readMapped(WatchedFile file, WatchedFile.Hook hook) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mapped;
            try {
                mapped = file.channel().map(FileChannel.MapMode.READ_ONLY, 0, file.size(), arena);
            } catch (IOException cannotMap) {
                throw file.unlessChanged(cannotMap);
            }
            SafeTensorsReader.Validated v;
            try {
                v = SafeTensorsReader.validate(mapped, file.source());
            } catch (SafeTensorsFormatException invalid) {
                throw file.unlessChanged(invalid);
            }
            file.check();
            LinkedHashMap<String, Tensor> tensors = LinkedHashMap.newLinkedHashMap(v.header().entries().size());
            for (Header.Entry e : v.header().entries()) {
                hook.at(e.name());
                tensors.put(e.name(), TensorDecoder.decode(v.data(), e));
                file.check();
            }
            return v.file(tensors);
        } catch (InternalError fault) {
            throw file.accessFault(fault);
        }
    }

    /**
     * Reads a file held in memory: the bytes from the buffer's position to its limit (the
     * position is not changed).
     *
     * @param bytes the whole file
     * @return its contents
     * @throws SafeTensorsFormatException if the bytes break a rule of the format or hold a tensor
     *     Lanes cannot represent
     */
    public static SafeTensorsFile decode(ByteBuffer bytes) throws SafeTensorsFormatException {
        return SafeTensorsReader.read(MemorySegment.ofBuffer(bytes), "<buffer>");
    }

    /**
     * Writes tensors and metadata to a file, replacing it atomically. The new file has the
     * default permissions of a new file; a symbolic link at {@code path} is replaced, not
     * followed.
     *
     * @param path the file to create or replace
     * @param tensors name to tensor (F32 or F64; names non-empty and not {@value #METADATA_KEY})
     * @param metadata key to value, or null or empty for none
     * @throws IllegalArgumentException naming the tensor or key when a name is not allowed or a
     *     string has no UTF-8 form (nothing is written)
     * @throws IOException if writing fails (the file is then as it was)
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        WritePlan plan = WritePlan.of(tensors, metadata);
        AtomicFiles.write(path, channel -> FileWriting.write(plan, bytes -> {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }));
    }

    /**
     * Writes tensors without metadata; see {@link #write(Path, Map, Map)}.
     *
     * @param path the file to create or replace
     * @param tensors name to tensor
     * @throws IOException if writing fails (the file is then as it was)
     */
    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, null);
    }

    /**
     * The bytes of the file {@link #write(Path, Map, Map)} would write.
     *
     * @param tensors name to tensor
     * @param metadata key to value, or null for none
     * @return the whole file
     * @throws IllegalArgumentException as {@link #write(Path, Map, Map)}, or when the file would
     *     not fit a Java array
     */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        WritePlan plan = WritePlan.of(tensors, metadata);
        if (plan.fileLength() > MAX_ELEMENTS) {
            throw new IllegalArgumentException("SafeTensors.encode: " + plan.fileLength()
                    + " bytes do not fit in an array; write to a file instead");
        }
        ByteBuffer out = ByteBuffer.allocate((int) plan.fileLength());
        try {
            FileWriting.write(plan, out::put);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return out.array();
    }
}
