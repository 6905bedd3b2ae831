package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.ArithmeticKernels;
import dev.lanes.kernel.internal.ConvKernels;
import dev.lanes.kernel.internal.ElementwiseKernels;
import dev.lanes.kernel.internal.GemmKernels;
import dev.lanes.kernel.internal.KernelProvider;
import dev.lanes.kernel.internal.LayerNormKernels;
import dev.lanes.kernel.internal.NormKernels;
import dev.lanes.kernel.internal.PointwiseKernels;
import dev.lanes.kernel.internal.RecurrentKernels;
import dev.lanes.kernel.internal.ReductionKernels;
import dev.lanes.kernel.internal.SoftmaxKernels;
import dev.lanes.kernel.internal.SumKernels;
import dev.lanes.kernel.internal.UpdateKernels;

/** The reference provider: plain Java loops, no Vector API, always available. */
public final class ScalarProvider implements KernelProvider {

    /** The single instance. */
    public static final ScalarProvider INSTANCE = new ScalarProvider();

    private final GemmKernels gemm = new ScalarGemm();

    private ScalarProvider() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String describe() {
        return "scalar: plain Java loops";
    }

    @Override
    public GemmKernels gemm() {
        return gemm;
    }

    @Override
    public ElementwiseKernels elementwise() {
        return ScalarElementwise.INSTANCE;
    }

    @Override
    public ArithmeticKernels arithmetic() {
        return ScalarArithmetic.INSTANCE;
    }

    @Override
    public PointwiseKernels pointwise() {
        return ScalarPointwise.INSTANCE;
    }

    @Override
    public LayerNormKernels layerNorm() {
        return ScalarLayerNorm.INSTANCE;
    }

    @Override
    public SumKernels sums() {
        return ScalarSums.INSTANCE;
    }

    @Override
    public SoftmaxKernels softmax() {
        return ScalarSoftmax.INSTANCE;
    }

    @Override
    public RecurrentKernels recurrent() {
        return ScalarRecurrent.INSTANCE;
    }

    @Override
    public UpdateKernels updates() {
        return ScalarUpdates.INSTANCE;
    }

    @Override
    public ReductionKernels reductions() {
        return ScalarReductions.INSTANCE;
    }

    @Override
    public NormKernels norms() {
        return ScalarNorms.INSTANCE;
    }

    @Override
    public ConvKernels conv() {
        return ScalarConv.INSTANCE;
    }
}
