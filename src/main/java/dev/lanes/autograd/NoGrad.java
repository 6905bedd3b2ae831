package dev.lanes.autograd;

import dev.lanes.tensor.internal.GradMode;

/**
 * A scope in which operations on the current thread record nothing, like
 * {@code torch.no_grad()}: {@code try (NoGrad g = NoGrad.enter()) { ... }}. Scopes nest.
 */
public final class NoGrad implements AutoCloseable {

    private boolean closed;

    private NoGrad() {
        GradMode.enterNoGrad();
    }

    /** @return a scope that lasts until closed */
    public static NoGrad enter() {
        return new NoGrad();
    }

    /** Ends the scope (once; later calls do nothing). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            GradMode.exitNoGrad();
        }
    }
}
