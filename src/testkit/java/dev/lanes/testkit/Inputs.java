package dev.lanes.testkit;

import dev.lanes.tensor.DType;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** jqwik arbitraries of F64 input tensors, seeded so that a failing case replays exactly. */
public final class Inputs {

    private Inputs() {
    }

    /**
     * @param dims the shape
     * @return F64 tensors of that shape, uniform in {@code [-1, 1)}
     */
    public static Arbitrary<Tensor> uniform(int... dims) {
        int[] copy = dims.clone();
        return Arbitraries.longs().map(seed -> Tensor.uniform(new Generator(seed), DType.F64, -1, 1, copy));
    }

    /**
     * @param minRank  the smallest rank
     * @param maxRank  the largest rank
     * @param maxElems the largest element count
     * @return F64 tensors of shapes from {@link Sizes#shape}, uniform in {@code [-1, 1)}
     */
    public static Arbitrary<Tensor> ofRank(int minRank, int maxRank, int maxElems) {
        return Sizes.shape(minRank, maxRank, maxElems).flatMap(Inputs::uniform);
    }
}
