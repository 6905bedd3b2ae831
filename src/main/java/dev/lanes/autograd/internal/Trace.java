package dev.lanes.autograd.internal;

import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.GradFn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * The operations one thread runs while a plan is being captured, in order: each differentiable
 * function reports its node, inputs and outputs here (through {@code Tape}) while a trace is
 * active on its thread. Outside a capture the only cost to an operation is one read of a
 * volatile counter.
 */
public final class Trace {

    /**
     * One operation as it ran.
     *
     * @param op      the operation's name
     * @param node    its tape node, which knows how to lower itself ({@link Lowerable}) or not
     * @param inputs  the tensors it read (null for an optional operand not given)
     * @param outputs the tensors it produced
     * @param where   which part of the model ran it, for messages
     */
    public record Entry(String op, GradFn node, List<Tensor> inputs, List<Tensor> outputs, String where) {
    }

    private static final ThreadLocal<Trace> CURRENT = new ThreadLocal<>();
    /** Traces active on any thread: while 0, {@link #active()} skips the thread-local lookup. */
    private static volatile int activeCount;

    private final List<Entry> entries = new ArrayList<>();
    private final Supplier<String> locator;
    private boolean open = true;

    private Trace(Supplier<String> locator) {
        this.locator = locator;
    }

    /**
     * Starts recording this thread's operations.
     *
     * @param locator called at each operation, on the operation's thread, to say which part of
     *                the model is running it
     * @throws IllegalStateException when this thread is already tracing
     */
    public static Trace begin(Supplier<String> locator) {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("capture: this thread is already capturing a plan (captures do not nest)");
        }
        Trace t = new Trace(locator);
        synchronized (Trace.class) {
            activeCount++;
        }
        CURRENT.set(t);
        return t;
    }

    /** Stops recording; the entries stay readable. */
    public void end() {
        if (open) {
            open = false;
            CURRENT.remove();
            synchronized (Trace.class) {
                activeCount--;
            }
        }
    }

    /** @return the trace recording on this thread, or null */
    public static Trace active() {
        return activeCount == 0 ? null : CURRENT.get();
    }

    /** Records an operation that just ran. */
    public void record(String op, GradFn node, Tensor[] inputs, Tensor... outputs) {
        // Optional operands are passed as null by some operations.
        entries.add(new Entry(op, node, Collections.unmodifiableList(Arrays.asList(inputs.clone())),
                List.of(outputs), locator.get()));
    }

    /** @return the operations in the order they ran */
    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }
}
