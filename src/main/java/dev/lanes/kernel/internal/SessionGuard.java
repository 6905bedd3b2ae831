package dev.lanes.kernel.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Refuses a second thread entering a serving session while a call is running on it. A session's
 * buffers are shared by its calls, so two calls at once would read each other's activations and
 * return wrong results without any sign; with this guard the second caller gets an
 * {@link IllegalStateException} instead.
 *
 * <p>A call claims the guard with one compare-and-set of its owner field on entry and releases
 * it with a release store when it ends: no lock, no allocation, no waiting. The loser is refused,
 * not queued, so the guard detects misuse; it does not make a session shareable. A session may
 * still pass from thread to thread between calls (a pool of sessions does that): the claim reads
 * the owner with volatile semantics and the release publishes it, so the next call on another
 * thread sees everything the previous call wrote.
 *
 * <p>Use: {@code guard.enter(op); try { ... } finally { guard.exit(); }}, with {@code enter}
 * outside the {@code try} so that a refused caller does not release the owner's claim.
 */
public final class SessionGuard {

    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(SessionGuard.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread running a call, or null between calls; accessed only through {@link #OWNER}. */
    @SuppressWarnings("unused")
    private Thread owner;

    private final String remedy;

    /**
     * @param remedy how to get a session of one's own, for the message (for example
     *               {@code "plan.session(...)"})
     */
    public SessionGuard(String remedy) {
        this.remedy = remedy;
    }

    /**
     * Claims the session for the calling thread.
     *
     * @param op the call, first in the message ({@code "ResNetSession.run"})
     * @throws IllegalStateException when another call holds the session
     */
    public void enter(String op) {
        Thread me = Thread.currentThread();
        if (!OWNER.compareAndSet(this, null, me)) {
            throw busy(op, me);
        }
    }

    /** Releases the claim of the call that {@link #enter}ed. */
    public void exit() {
        OWNER.setRelease(this, null);
    }

    private IllegalStateException busy(String op, Thread me) {
        Thread holder = (Thread) OWNER.getVolatile(this);
        if (holder == me) {
            return new IllegalStateException(op + ": this session is already running a call on this thread ("
                    + me.getName() + "); a session cannot be entered again from inside one of its calls");
        }
        String who = holder == null ? "" : " (thread \"" + holder.getName() + "\")";
        return new IllegalStateException(op + ": this session is in use by another thread" + who
                + "; give each thread its own session (" + remedy + ")");
    }
}
