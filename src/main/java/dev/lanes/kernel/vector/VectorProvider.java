package dev.lanes.kernel.vector;

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
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API provider. Loaded by name from {@code Kernels} only after it has checked that
 * {@code jdk.incubator.vector} is readable and C2 is on; its initialiser refuses species
 * narrower than 128 bits, where SIMD would not pay off.
 */
public final class VectorProvider implements KernelProvider {

    /** The single instance. */
    public static final VectorProvider INSTANCE = new VectorProvider();

    private final GemmKernels gemm = new GemmKernels() {
        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float beta, float[] c, int cOff, int ldc) {
            VectorSgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }

        @Override
        public int packedBLength(int k, int n) {
            return VectorSgemm.packedBLength(k, n);
        }

        @Override
        public void packB(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
            VectorSgemm.packB(transB, k, n, b, bOff, ldb, dst);
        }

        @Override
        public void sgemmPackedB(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                 float[] packed, float beta, float[] c, int cOff, int ldc) {
            VectorSgemm.sgemmPackedB(transA, m, n, k, alpha, a, aOff, lda, packed, beta, c, cOff, ldc);
        }

        @Override
        public void gemvPanels(int rows, int k, int n, float[] x, int xOff, float[] panels, int tileFrom,
                               int tileTo, float beta, float[] y, int yOff) {
            VectorGemv.f32(rows, k, n, x, xOff, panels, tileFrom, tileTo, beta, y, yOff);
        }

        @Override
        public void gemvPanelsBf16(int rows, int k, int n, float[] x, int xOff, int[] panels, int tileFrom,
                                   int tileTo, float beta, float[] y, int yOff) {
            VectorGemv.bf16(rows, k, n, x, xOff, panels, tileFrom, tileTo, beta, y, yOff);
        }

        @Override
        public void stranspose(int rows, int cols, float[] in, int inOff, int ldi, int run, int gap, float[] out,
                               int outOff, int ldo) {
            VectorTranspose.stranspose(rows, cols, in, inOff, ldi, run, gap, out, outOff, ldo);
        }

        @Override
        public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                          double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                          double beta, double[] c, int cOff, int ldc) {
            VectorDgemm.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    };

    private VectorProvider() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (bits < 128) {
            throw new UnsupportedOperationException("the preferred vector species is only " + bits
                    + " bits wide (at least 128 needed)");
        }
        // Read the blocking overrides now, so that a bad one is reported as the reason this
        // provider cannot run rather than failing the first product.
        VectorSgemm.blockingSummary();
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String describe() {
        return "vector: " + FloatVector.SPECIES_PREFERRED + ", sgemm micro-tile " + SgemmMicroKernels.MR + "x"
                + SgemmMicroKernels.NR + ", " + VectorSgemm.blockingSummary();
    }

    @Override
    public GemmKernels gemm() {
        return gemm;
    }

    @Override
    public ElementwiseKernels elementwise() {
        return VectorElementwise.INSTANCE;
    }

    @Override
    public ArithmeticKernels arithmetic() {
        return VectorArithmetic.INSTANCE;
    }

    @Override
    public PointwiseKernels pointwise() {
        return VectorPointwise.INSTANCE;
    }

    @Override
    public LayerNormKernels layerNorm() {
        return VectorLayerNorm.INSTANCE;
    }

    @Override
    public SumKernels sums() {
        return VectorSums.INSTANCE;
    }

    @Override
    public SoftmaxKernels softmax() {
        return VectorSoftmax.INSTANCE;
    }

    @Override
    public RecurrentKernels recurrent() {
        return VectorRecurrent.INSTANCE;
    }

    @Override
    public UpdateKernels updates() {
        return VectorUpdates.INSTANCE;
    }

    @Override
    public ReductionKernels reductions() {
        return VectorReductions.INSTANCE;
    }

    @Override
    public NormKernels norms() {
        return VectorNorms.INSTANCE;
    }

    @Override
    public ConvKernels conv() {
        return VectorConv.INSTANCE;
    }
}
