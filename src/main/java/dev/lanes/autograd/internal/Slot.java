package dev.lanes.autograd.internal;

import java.util.Arrays;

/**
 * A value of a compiled plan: a run of floats in a session's arena, placed by the memory plan
 * once every step is known. Steps keep their slots and read {@link #at()} when they run.
 */
public final class Slot {

    /** What a slot holds, which decides how long it lives. */
    enum Kind {
        /** An input of the plan, written by the session at the start of a call. */
        INPUT,
        /** A parameter, buffer or constant, written once when a session is made. */
        CONSTANT,
        /** The output of an operation. */
        VALUE,
        /** Working memory of one operation. */
        SCRATCH
    }

    final int id;
    final Kind kind;
    private final int[] dims;
    final int size;
    /** For a view of another slot's floats, that slot; else null. */
    final Slot base;
    /** The first and last operation (by index) during which the floats must stay intact. */
    int first;
    int last;
    int offset = -1;

    Slot(int id, Kind kind, int[] dims, int size, Slot base, int first) {
        this.id = id;
        this.kind = kind;
        this.dims = dims;
        this.size = size;
        this.base = base;
        this.first = first;
        this.last = first;
    }

    /** @return the first float of this value in the arena */
    public int at() {
        return offset;
    }

    /** @return the number of floats */
    public int size() {
        return size;
    }

    /** @return the value's shape (a copy) */
    public int[] dims() {
        return dims.clone();
    }

    /** @return the slot that owns the floats: this, or the slot this one views */
    Slot root() {
        return base == null ? this : base.root();
    }

    @Override
    public String toString() {
        return "%" + id + Arrays.toString(dims);
    }
}
