package dev.lanes.autograd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The memory plan never gives two slots that are alive at the same time the same floats. */
class MemoryPlanProperties {

    @Property(tries = 300)
    void slotsAliveTogetherNeverShareFloats(@ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int ops = 1 + r.nextInt(30);
        List<Slot> slots = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < 1 + r.nextInt(40); i++) {
            int first = r.nextInt(ops);
            int size = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 20 : 3000);
            Slot s = new Slot(slots.size(), Slot.Kind.VALUE, new int[] {size}, size, null, first);
            s.last = first + r.nextInt(ops - first);
            slots.add(s);
            if (r.nextInt(4) == 0) {
                Slot view = new Slot(slots.size(), Slot.Kind.VALUE, new int[] {size}, size, s, s.first);
                slots.add(view);
            }
            total += (size + MemoryPlan.ALIGN - 1) / MemoryPlan.ALIGN * MemoryPlan.ALIGN;
        }
        int arena = MemoryPlan.place(slots);
        assertTrue(arena <= total, "arena " + arena + " beyond the sum of the slots " + total);
        for (Slot a : slots) {
            assertEquals(0, a.at() % MemoryPlan.ALIGN, "slot " + a + " unaligned at " + a.at());
            assertTrue(a.at() >= 0 && a.at() + a.size() <= arena, "slot " + a + " outside the arena");
            if (a.base != null) {
                assertEquals(a.base.at(), a.at(), "a view starts where its base does");
                continue;
            }
            for (Slot b : slots) {
                if (b == a || b.base != null || a.size() == 0 || b.size() == 0) {
                    continue;
                }
                boolean together = a.first <= b.last && b.first <= a.last;
                boolean overlap = a.at() < b.at() + b.size() && b.at() < a.at() + a.size();
                assertTrue(!together || !overlap, "slots " + a + " [" + a.first + ", " + a.last + "] at " + a.at()
                        + " and " + b + " [" + b.first + ", " + b.last + "] at " + b.at() + " share floats");
            }
        }
    }
}
