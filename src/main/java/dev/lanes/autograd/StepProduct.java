package dev.lanes.autograd;

import dev.lanes.kernel.Blas;
import dev.lanes.kernel.Kernels;
import dev.lanes.kernel.PackedMatrix;
import dev.lanes.tensor.DType;
import dev.lanes.tensor.Tensor;
import dev.lanes.tensor.internal.DataMovement;
import dev.lanes.tensor.internal.Dispatch;
import java.util.HashMap;
import java.util.Map;

/**
 * The recurrent weight as the right operand of one sequence's per-step products: {@code h W_hh^T}
 * in forward, {@code dG W_hh} in backward. Prepared once per sequence, so that no step repacks
 * the weight: in F32 it is packed once into the GEMM's panels ({@link PackedMatrix}); in F64 the
 * forward operand is transposed once. Batches of at most four rows keep reading W_hh as stored
 * in forward (GEMM's dot-product path, which packs nothing). Every step gives the bits that a
 * plain GEMM on W_hh gives.
 */
final class StepProduct {

    private final Tensor w;
    private final boolean trans;
    private final int k;
    private final int n;
    private final PackedMatrix packed;

    private StepProduct(Tensor w, boolean trans, int k, int n, PackedMatrix packed) {
        this.w = w;
        this.trans = trans;
        this.k = k;
        this.n = n;
        this.packed = packed;
    }

    /** {@code op(B) = W_hh^T} ({@code [N, G]}) for the forward steps of a batch of {@code batch} rows. */
    static StepProduct forward(Tensor wHh, int batch) {
        int g = wHh.size(0);
        int hidden = wHh.size(1);
        if (batch <= ConstantProduct.DOT_ROWS) {
            return new StepProduct(wHh, true, hidden, g, null);
        }
        if (wHh.dtype() == DType.F32) {
            return new StepProduct(wHh, true, hidden, g, packed(true, hidden, g, wHh.f32(), hidden));
        }
        return new StepProduct(DataMovement.permute(wHh, new int[] {1, 0}), false, hidden, g, null);
    }

    /** {@code op(B) = W_hh} ({@code [G, N]}) for the backward steps. */
    static StepProduct backward(Tensor wHh, int batch) {
        int g = wHh.size(0);
        int hidden = wHh.size(1);
        PackedMatrix packed = wHh.dtype() == DType.F32 && batch > 4
                ? packed(false, g, hidden, wHh.f32(), hidden) : null;
        return new StepProduct(wHh, false, g, hidden, packed);
    }

    /**
     * The weight packed into this thread's packed matrix of its shape, made once and repacked on
     * every later sequence: a step product lives for one layer call, so no two of one shape are
     * in use on a thread at once.
     */
    private static PackedMatrix packed(boolean trans, int k, int n, float[] w, int ld) {
        Map<PackedKey, PackedMatrix> cache = PACKED.get();
        PackedKey key = new PackedKey(k, n, Kernels.provider());
        PackedMatrix p = cache.get(key);
        if (p == null) {
            if (cache.size() >= MAX_PACKED) {
                cache.clear();
            }
            p = PackedMatrix.pack(trans, k, n, w, 0, ld);
            cache.put(key, p);
            return p;
        }
        return p.repack(trans, w, 0, ld);
    }

    private record PackedKey(int k, int n, Kernels.Provider provider) {
    }

    /** Packed shapes kept per thread (each layer size and direction is one). */
    private static final int MAX_PACKED = 8;
    private static final ThreadLocal<Map<PackedKey, PackedMatrix>> PACKED = ThreadLocal.withInitial(HashMap::new);

    /** {@code c[cOff..] = a[aOff..] op(B) + beta c[cOff..]} for {@code rows} rows of {@code a}. */
    void multiply(int rows, Tensor a, int aOff, double beta, Tensor c, int cOff) {
        if (packed != null) {
            Blas.sgemm(false, rows, 1f, a.f32(), aOff, k, packed, (float) beta, c.f32(), cOff, n);
        } else {
            Dispatch.gemm(false, trans, rows, n, k, 1, a, aOff, k, w, 0, trans ? k : n, beta, c, cOff, n);
        }
    }
}
