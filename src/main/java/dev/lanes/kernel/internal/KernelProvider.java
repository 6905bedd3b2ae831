package dev.lanes.kernel.internal;

/**
 * One implementation of every kernel. Two exist: {@code scalar}, the readable reference that
 * always works, and {@code vector}, built on {@code jdk.incubator.vector}. {@link Kernels}
 * picks one per JVM.
 */
public interface KernelProvider {

    /** @return {@code "scalar"} or {@code "vector"} */
    String name();

    /** @return a one-line description: vector species and register blocking, or why none */
    String describe();

    /** @return the GEMM kernels of this provider */
    GemmKernels gemm();

    /** @return the activations (the {@code Activation} enum) and fused bias activations of this provider */
    ElementwiseKernels elementwise();

    /** Elementwise arithmetic on spans. */
    ArithmeticKernels arithmetic();

    /** The declared pointwise operations. */
    PointwiseKernels pointwise();

    /** Row-wise softmax and log-softmax. */
    SoftmaxKernels softmax();

    /** The fixed-order sums and the maximum. */
    SumKernels sums();

    /** Layer normalisation. */
    LayerNormKernels layerNorm();

    /** @return the fused recurrent-cell steps of this provider */
    RecurrentKernels recurrent();

    /** @return the fused optimizer updates of this provider */
    UpdateKernels updates();

    /** @return the column sums and max pooling of this provider */
    ReductionKernels reductions();

    /** @return the batch normalisation plane passes of this provider */
    NormKernels norms();

    /** @return the channel-blocked convolution loops of this provider */
    ConvKernels conv();
}
