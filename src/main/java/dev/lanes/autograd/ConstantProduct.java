package dev.lanes.autograd;

import dev.lanes.autograd.internal.Epilogue;
import dev.lanes.autograd.internal.Lowering;
import dev.lanes.autograd.internal.Split;
import dev.lanes.autograd.internal.Splitter;
import dev.lanes.kernel.Blas;
import dev.lanes.kernel.PackedMatrix;
import dev.lanes.kernel.internal.GemvPanels;
import dev.lanes.tensor.Tensor;

/**
 * {@code y = x W^T}, plus a bias on every row or plus {@code y} itself, for a weight
 * {@code W [out, in]} fixed when a plan is captured, packed once. Products of at most
 * {@link #DOT_ROWS} rows, and every product of a plan with BF16 weights, read the weight from
 * {@link GemvPanels}, which stream it once per row and fold each column in a vector lane; their
 * columns are a {@link Split}, spread over the threads by a parallel session. Larger products run
 * the GEMM on its packed panels ({@link PackedMatrix}) on the calling thread, with the bits of the
 * eager {@code gemm(x, W, transB)}.
 */
final class ConstantProduct {

    /**
     * Products of at most this many rows by a transposed weight: the eager GEMM runs them as dot
     * products on the weight as stored, a plan as panel products.
     */
    static final int DOT_ROWS = 4;

    private final int in;
    private final int out;
    private final int rows;
    private final float[] bias;
    private final float beta;
    private final PackedMatrix packed;
    private final Split split;
    /** Run on the output after the GEMM; the panel tiles run it themselves. */
    private final Epilogue work;

    /**
     * @param w          the weight {@code [out, in]}, a fixed value of the plan
     * @param bias       the bias {@code [out]}, a fixed value of the plan, or null
     * @param rows       the rows of every product this will compute
     * @param accumulate whether the product adds to {@code y} (then there is no bias)
     */
    ConstantProduct(Lowering l, Tensor w, Tensor bias, int rows, boolean accumulate) {
        this(l, w, bias, rows, accumulate, null);
    }

    /**
     * A product that also runs {@code work} on every run of output it writes ({@link Epilogue}),
     * element {@code r * out + c} of the output being row {@code r}, column {@code c}: each
     * column tile on its rows, or the whole output after the GEMM. Each {@link #multiply} then
     * writes the whole output, from its {@code yOff}.
     */
    ConstantProduct(Lowering l, Tensor w, Tensor bias, int rows, boolean accumulate, Epilogue work) {
        if (accumulate && bias != null) {
            throw new IllegalArgumentException("a product adds either a bias or its output, not both");
        }
        this.out = w.size(0);
        this.in = w.size(1);
        this.rows = rows;
        this.bias = bias == null ? null : l.constant(bias);
        this.beta = accumulate || bias != null ? 1f : 0f;
        float[] weight = l.constant(w);
        if (readsPanels(l, rows) && in > 0 && out > 0) {
            GemvPanels panels = panels(l, weight, out, in);
            this.packed = null;
            this.split = l.split(panels.tiles(), (mem, t, xOff, yOff) -> {
                int from = t * GemvPanels.TILE;
                int cols = Math.min(GemvPanels.TILE, out - from);
                if (this.bias != null) {
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(this.bias, from, mem, yOff + r * out + from, cols);
                    }
                }
                panels.multiply(rows, t, t + 1, mem, xOff, beta, mem, yOff);
                if (work != null) {
                    for (int r = 0; r < rows; r++) {
                        int at = yOff + r * out + from;
                        work.apply(mem, at, at, r * out + from, cols);
                    }
                }
            });
        } else {
            // Leading dimensions of at least 1, as BLAS asks, also for a layer without inputs or outputs.
            this.packed = PackedMatrix.pack(true, in, out, weight, 0, Math.max(1, in));
            this.split = null;
        }
        this.work = work;
    }

    /** @return {@code w [out, in]} in panels, BF16 when the plan keeps BF16 weights; a weight they cannot hold refuses the operation */
    static GemvPanels panels(Lowering l, float[] w, int out, int in) {
        try {
            return GemvPanels.pack(w, 0, out, in, l.bf16Weights());
        } catch (IllegalArgumentException e) {
            throw l.refuse(e.getMessage());
        }
    }

    /** @return whether products of {@code rows} rows read panels in this plan */
    static boolean readsPanels(Lowering l, int rows) {
        return rows <= DOT_ROWS || l.bf16Weights();
    }

    /** {@code y[yOff..] = x[xOff..] W^T} plus the bias or the old {@code y}, all rows contiguous in {@code mem}. */
    void multiply(float[] mem, Splitter splitter, int xOff, int yOff) {
        if (split != null) {
            splitter.run(split, mem, xOff, yOff);
            return;
        }
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(bias, 0, mem, yOff + r * out, out);
            }
        }
        Blas.sgemm(false, rows, 1f, mem, xOff, Math.max(1, in), packed, beta, mem, yOff, Math.max(1, out));
        if (work != null) {
            work.apply(mem, yOff, yOff, 0, rows * out);
        }
    }
}
