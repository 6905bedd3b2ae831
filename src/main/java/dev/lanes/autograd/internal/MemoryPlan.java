package dev.lanes.autograd.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places a plan's slots in one arena: two slots share floats only when their lifetimes (first to
 * last operation) do not overlap. Largest first, each at the lowest offset that clears every
 * placed slot alive at the same time ("greedy by size"), which keeps the big activations of a
 * network packed and lets the small ones fill the gaps. Offsets are multiples of 16 floats (a
 * cache line), so every slot starts where a vector load is aligned.
 */
final class MemoryPlan {

    static final int ALIGN = 16;

    private MemoryPlan() {
    }

    /**
     * Sets the offset of every slot (views take their base's) and returns the arena's size in floats.
     *
     * @throws IllegalArgumentException when the arena would not fit in an array
     */
    static int place(List<Slot> slots) {
        List<Slot> roots = new ArrayList<>();
        for (Slot s : slots) {
            if (s.base == null) {
                roots.add(s);
            }
        }
        roots.sort(Comparator.comparingLong((Slot s) -> -aligned(s)).thenComparingInt(s -> s.id));
        List<Slot> placed = new ArrayList<>();
        long end = 0;
        for (Slot s : roots) {
            List<Slot> live = new ArrayList<>();
            for (Slot p : placed) {
                if (p.first <= s.last && s.first <= p.last) {
                    live.add(p);
                }
            }
            live.sort(Comparator.comparingInt(p -> p.offset));
            long off = 0;
            for (Slot p : live) {
                if (off + aligned(s) <= p.offset) {
                    break;
                }
                off = Math.max(off, p.offset + aligned(p));
            }
            end = Math.max(end, off + aligned(s));
            if (end > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("capture: the plan's activations need " + end
                        + " floats at once, more than an array holds");
            }
            s.offset = (int) off;
            placed.add(s);
        }
        for (Slot s : slots) {
            if (s.base != null) {
                s.offset = s.root().offset;
            }
        }
        return (int) end;
    }

    private static long aligned(Slot s) {
        return ((long) s.size + ALIGN - 1) / ALIGN * ALIGN;
    }
}
