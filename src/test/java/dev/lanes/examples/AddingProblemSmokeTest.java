package dev.lanes.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lanes.data.AddingProblem;
import dev.lanes.tensor.Generator;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A short adding problem (T = 10): 200 training steps lower the loss, and a
 * second run repeats the first steps bit for bit. */
class AddingProblemSmokeTest {

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static AddingProblemExample.Result run(int steps) {
        AddingProblemExample.Settings s = new AddingProblemExample.Settings(10, steps, 32, 16, 0.01, 1.0, 200, 200,
                256, 7);
        AddingProblem problem = new AddingProblem(s.length());
        AddingProblem.Batch test = problem.sample(new Generator(99), s.testSize());
        LastStepRegressor model = new LastStepRegressor(LastStepRegressor.Cell.LSTM, 2, s.hidden(), 1,
                new Generator(5));
        return AddingProblemExample.train(model, problem, test, new Generator(6), s, QUIET);
    }

    @Test
    void trainingLowersTheLossDeterministically() {
        AddingProblemExample.Result a = run(200);
        List<double[]> rows = a.rows();
        double first = 0;
        double last = 0;
        for (int i = 0; i < 20; i++) {
            first += rows.get(i)[1] / 20;
            last += rows.get(rows.size() - 1 - i)[1] / 20;
        }
        assertTrue(last < 0.5 * first, "mean loss of the last 20 steps " + last + " vs the first 20 " + first);
        assertTrue(a.testMse() < 0.5 * AddingProblem.BASELINE_MSE, "test MSE " + a.testMse());
        AddingProblemExample.Result b = run(50);
        for (int i = 0; i < b.rows().size(); i++) {
            assertArrayEquals(new double[] {rows.get(i)[1]}, new double[] {b.rows().get(i)[1]}, "step " + (i + 1));
        }
    }
}
