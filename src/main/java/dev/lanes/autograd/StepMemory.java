package dev.lanes.autograd;

import dev.lanes.tensor.internal.StepArena;

/**
 * Memory reused from one training step to the next. A training step of a model with fixed
 * shapes creates the same activations, saved tensors and gradients every time, tens to hundreds
 * of MB of them; inside a {@link Step} they take the storage of the previous step's instead of
 * new heap arrays, so a steady-state step allocates almost nothing and the garbage collector
 * has nothing to do:
 *
 * <pre>{@code
 * StepMemory memory = new StepMemory();
 * for (Batch batch : loader) {
 *     try (StepMemory.Step step = memory.step()) {
 *         optimizer.zeroGrad();
 *         Tensor loss = Losses.crossEntropy(model.forward(batch.inputs()), batch.labels());
 *         loss.backward();
 *         optimizer.step();
 *         total += loss.item();   // read what you need inside the step
 *     }
 * }
 * }</pre>
 *
 * <p>What lives in a step: every tensor the operations ({@link Ops}, {@link Losses}, the layers'
 * forward passes) and the backward pass create on the thread while the step is open, including
 * the gradients {@code backward()} leaves in parameters that had none. They may be used freely
 * until the step closes; after that, reading or writing one throws {@link IllegalStateException}
 * naming the tensor, because its storage then belongs to the next step. So read results inside
 * the step, and {@link dev.lanes.tensor.Tensor#copy() copy()} a tensor to keep it (a hidden
 * state carried to the next batch, say). Tensors the program creates itself
 * ({@code Tensor.zeros}, {@code copy()}, ...), the parameters, their values and the optimizers'
 * state are ordinary heap tensors and are never affected. Results are the same bits with or
 * without a step.
 *
 * <p>The memory holds one step's worth of storage (what the last step created) between steps;
 * storage a step did not ask for is dropped when it closes, so changing shapes (a smaller last
 * batch) costs one step of allocations, not a leak. A memory belongs to the thread that opens
 * its first step; steps do not nest. Operations that run on the library's pool threads take
 * their buffers from their own thread's caches, not from here.
 */
public final class StepMemory {

    private final StepArena arena = new StepArena();

    /** An empty memory: its first step allocates on the heap and leaves its storage for the next. */
    public StepMemory() {
    }

    /**
     * Opens a step on the calling thread.
     *
     * @return the step, to close when its results have been read
     * @throws IllegalStateException when a step of this memory is already open, another memory
     *                               has a step open on this thread, or the memory belongs to
     *                               another thread
     */
    public Step step() {
        arena.open();
        return new Step();
    }

    /** @return bytes of storage kept for the next step */
    public long bytes() {
        return arena.bytes();
    }

    /** Drops the kept storage (between steps): the next step allocates anew. */
    public void clear() {
        arena.clear();
    }

    /** One open step; closing it ends every tensor created in it. */
    public final class Step implements AutoCloseable {

        private boolean closed;

        private Step() {
        }

        /** Ends the step (once; later calls do nothing). */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                arena.close();
            }
        }
    }
}
