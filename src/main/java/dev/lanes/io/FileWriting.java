package dev.lanes.io;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Streams a {@link WritePlan} out as bytes: the header length (little-endian u64), the header,
 * then each tensor's values little-endian and row-major, through one small buffer, so that
 * writing never copies a whole tensor.
 */
final class FileWriting {

    /** Receives the file's bytes in order; must consume the whole buffer. */
    @FunctionalInterface
    interface Sink {
        /** Takes all remaining bytes of {@code bytes}. */
        void write(ByteBuffer bytes) throws IOException;
    }

    private static final int BUFFER_BYTES = 1 << 18;

    private FileWriting() {
    }

    /** Writes the whole file of {@code plan} to {@code sink}. */
    static void write(WritePlan plan, Sink sink) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(plan.header().length).flip();
        sink.write(buffer);
        sink.write(ByteBuffer.wrap(plan.header()));
        for (WritePlan.Item item : plan.items()) {
            values(item.tensor(), buffer, sink);
        }
    }

    private static void values(Tensor t, ByteBuffer buffer, Sink sink) throws IOException {
        int n = t.numel();
        boolean single = t.dtype() == DType.F32;
        int perChunk = buffer.capacity() / (single ? Float.BYTES : Double.BYTES);
        for (int done = 0; done < n; done += perChunk) {
            int k = Math.min(perChunk, n - done);
            buffer.clear();
            if (single) {
                buffer.asFloatBuffer().put(t.f32(), done, k);
                buffer.limit(k * Float.BYTES);
            } else {
                buffer.asDoubleBuffer().put(t.f64(), done, k);
                buffer.limit(k * Double.BYTES);
            }
            sink.write(buffer);
        }
    }
}
