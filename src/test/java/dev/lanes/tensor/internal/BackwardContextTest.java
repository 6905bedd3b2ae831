package dev.lanes.tensor.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.kernel.internal.Parallel;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** What a {@link BackwardContext} offers and accepts, independent of the engine that builds it. */
class BackwardContextTest {

    @Test
    void offersOnlyWhatItWasGiven() {
        Tensor sum = Tensor.zeros(DType.F32, 3);
        BackwardContext c = new BackwardContext(2, new boolean[] {true}, new Tensor[] {null, sum});
        assertTrue(c.owns(0));
        assertFalse(c.owns(1), "an output beyond the array is not owned");
        assertNull(c.partialSum(0));
        assertSame(sum, c.partialSum(1));
        assertNull(c.partialSum(2));
        BackwardContext none = new BackwardContext(1, null, null);
        assertFalse(none.owns(0));
        assertNull(none.partialSum(0));
    }

    @Test
    void acceptsOneDeclaredWorkPerInputInRange() {
        BackwardContext c = new BackwardContext(2, null, null);
        Parallel.Pending work = Parallel.later(1, t -> { }, null);
        c.later(1, work);
        assertSame(work, c.pending(1));
        assertNull(c.pending(0));
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> c.later(1, work));
        assertTrue(twice.getMessage().contains("already"), twice.getMessage());
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> c.later(2, work));
        assertTrue(out.getMessage().contains("input 2 of 2"), out.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.later(-1, work));
        work.await();
    }
}
