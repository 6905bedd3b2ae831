package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.tensor.Generator;
import org.junit.jupiter.api.Test;

/** The adding problem's invariants: two markers, one per half, the target their values' sum. */
class AddingProblemTest {

    @Test
    void twoMarkersOnePerHalfAndTheTargetIsTheirSum() {
        for (int length : new int[] {2, 3, 10, 101}) {
            AddingProblem.Batch batch = new AddingProblem(length).sample(new Generator(length), 257);
            assertArrayEquals(new int[] {length, 257, 2}, batch.inputs().dims());
            assertArrayEquals(new int[] {257, 1}, batch.targets().dims());
            int half = length / 2;
            for (int b = 0; b < batch.size(); b++) {
                int firstHalf = 0;
                int secondHalf = 0;
                double sum = 0;
                for (int t = 0; t < length; t++) {
                    double value = batch.inputs().get(t, b, 0);
                    double marker = batch.inputs().get(t, b, 1);
                    assertTrue(value >= 0 && value < 1, "value " + value);
                    assertTrue(marker == 0 || marker == 1, "marker " + marker);
                    if (marker == 1) {
                        if (t < half) {
                            firstHalf++;
                        } else {
                            secondHalf++;
                        }
                        sum += value;
                    }
                }
                assertEquals(1, firstHalf, "markers in the first half");
                assertEquals(1, secondHalf, "markers in the second half");
                assertEquals(sum, batch.targets().get(b, 0), 1e-6);
            }
        }
    }

    @Test
    void seededAndDeterministic() {
        AddingProblem p = new AddingProblem(20);
        AddingProblem.Batch a = p.sample(new Generator(5), 8);
        AddingProblem.Batch b = p.sample(new Generator(5), 8);
        assertArrayEquals(a.inputs().toFloatArray(), b.inputs().toFloatArray());
        assertArrayEquals(a.targets().toFloatArray(), b.targets().toFloatArray());
    }

    @Test
    void predictingTheMeanScoresAboutOneSixth() {
        AddingProblem.Batch batch = new AddingProblem(100).sample(new Generator(1), 20_000);
        assertEquals(1.0, AddingProblem.mean(batch.targets()), 0.01);
        assertEquals(AddingProblem.BASELINE_MSE, AddingProblem.constantMse(batch.targets(), 1.0), 0.005);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AddingProblem(1));
        assertThrows(IllegalArgumentException.class, () -> new AddingProblem(10).sample(new Generator(1), 0));
        assertThrows(NullPointerException.class, () -> new AddingProblem(10).sample(null, 1));
    }
}
