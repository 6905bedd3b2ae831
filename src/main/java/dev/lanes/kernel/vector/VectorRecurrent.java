package dev.lanes.kernel.vector;

import static dev.lanes.kernel.vector.VectorMath.BIAS;
import static dev.lanes.kernel.vector.VectorMath.INT_ONE;
import static dev.lanes.kernel.vector.VectorMath.MAGNITUDE;
import static dev.lanes.kernel.vector.VectorMath.MINUS_TWO;
import static dev.lanes.kernel.vector.VectorMath.ONE;
import static dev.lanes.kernel.vector.VectorMath.POS_INF;
import static dev.lanes.kernel.vector.VectorMath.SIGN;
import static dev.lanes.kernel.vector.VectorMath.TWENTY_THREE;
import static dev.lanes.kernel.vector.VectorMath.V_E0;
import static dev.lanes.kernel.vector.VectorMath.V_E1;
import static dev.lanes.kernel.vector.VectorMath.V_E2;
import static dev.lanes.kernel.vector.VectorMath.V_E3;
import static dev.lanes.kernel.vector.VectorMath.V_E4;
import static dev.lanes.kernel.vector.VectorMath.V_E5;
import static dev.lanes.kernel.vector.VectorMath.V_LN2_HI;
import static dev.lanes.kernel.vector.VectorMath.V_LN2_LO;
import static dev.lanes.kernel.vector.VectorMath.V_LOG2E;
import static dev.lanes.kernel.vector.VectorMath.V_MAGIC;
import static dev.lanes.kernel.vector.VectorMath.V_MAGIC_BITS;
import static dev.lanes.kernel.vector.VectorMath.V_OVERFLOW;
import static dev.lanes.kernel.vector.VectorMath.V_SIGMOID_EXP_BELOW;
import static dev.lanes.kernel.vector.VectorMath.V_T0;
import static dev.lanes.kernel.vector.VectorMath.V_T1;
import static dev.lanes.kernel.vector.VectorMath.V_T2;
import static dev.lanes.kernel.vector.VectorMath.V_T3;
import static dev.lanes.kernel.vector.VectorMath.V_T4;
import static dev.lanes.kernel.vector.VectorMath.V_TANH_SMALL;
import static dev.lanes.kernel.vector.VectorMath.V_UNDERFLOW;
import static dev.lanes.kernel.vector.VectorMath.ZERO;

import dev.lanes.kernel.internal.FloatMath;
import dev.lanes.kernel.internal.PointwiseOp;
import dev.lanes.kernel.internal.RecurrentKernels;
import dev.lanes.kernel.scalar.ScalarRecurrent;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LSTM and GRU steps over each row: the gate activations, the new state and (LSTM) the cell
 * state and its tanh, lane by lane as the scalar provider computes them (same bits). The GRU
 * step is one pass; the LSTM step activates its gates with the flat loops of {@link VectorMath}
 * first (see {@link #lstmForward}). As in
 * {@link VectorMath}, every vector stays inside the loop's method, so the sigmoid and tanh
 * sequences are written out where they are used; only int row bases (each array's offset plus
 * the row's start) are computed outside the loops and passed to the scalar tail. Double
 * precision is the scalar code.
 */
final class VectorRecurrent implements RecurrentKernels {

    static final VectorRecurrent INSTANCE = new VectorRecurrent();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarRecurrent SCALAR = ScalarRecurrent.INSTANCE;

    private VectorRecurrent() {
    }

    /**
     * The gates are activated by the flat sigmoid and tanh loops (i and f are one contiguous
     * block), then {@link #lstmCellUpdate} computes c, tanh(c) and h in one more pass over the
     * row. One loop with all five exp evaluations exceeds C1's register allocator ("out of
     * virtual registers"), and the method then never leaves C1's tier 2, where every vector
     * operation allocates.
     */
    @Override
    public void lstmForward(int batch, int hidden, float[] gates, int gatesOff, float[] bias, int biasOff,
                            float[] cPrev, int cPrevOff, float[] c, int cOff, float[] tanhC, int tanhCOff, float[] h,
                            int hOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = gatesOff + b * 4 * n;
            VectorPointwise.forward(PointwiseOp.SIGMOID, gates, g0, bias, biasOff, gates, g0, 2 * n);
            VectorPointwise.forward(PointwiseOp.TANH, gates, g0 + 2 * n, bias, biasOff + 2 * n, gates, g0 + 2 * n, n);
            VectorPointwise.forward(PointwiseOp.SIGMOID, gates, g0 + 3 * n, bias, biasOff + 3 * n, gates, g0 + 3 * n, n);
            lstmCellUpdate(n, gates, g0, cPrev, cPrevOff + b * n, c, cOff + b * n, tanhC, tanhCOff + b * n, h,
                    hOff + b * n);
        }
    }

    /** One row: {@code c = f cPrev + i g}, {@code tanhC = tanh(c)}, {@code h = o tanhC} from activated gates. */
    private static void lstmCellUpdate(int n, float[] gates, int g0, float[] cPrev, int cp0, float[] c, int c0,
                                       float[] tanhC, int t0, float[] h, int h0) {
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector i = FloatVector.fromArray(S, gates, g0 + j);
            FloatVector f = FloatVector.fromArray(S, gates, g0 + n + j);
            FloatVector g = FloatVector.fromArray(S, gates, g0 + 2 * n + j);
            FloatVector o = FloatVector.fromArray(S, gates, g0 + 3 * n + j);
            FloatVector cj = f.mul(FloatVector.fromArray(S, cPrev, cp0 + j)).add(i.mul(g));
            FloatVector axC = cj.abs();
            FloatVector zC = cj.mul(cj);
            FloatVector pC = zC.mul(V_T4).add(V_T3).mul(zC).add(V_T2).mul(zC).add(V_T1).mul(zC).add(V_T0);
            FloatVector smallC = pC.mul(zC).mul(cj).add(cj).blend(cj, cj.compare(VectorOperators.EQ, ZERO));
            FloatVector aC = axC.mul(MINUS_TWO);
            FloatVector tC = aC.mul(V_LOG2E).add(V_MAGIC);
            FloatVector kC = tC.sub(V_MAGIC);
            IntVector kiC = tC.reinterpretAsInts().sub(V_MAGIC_BITS);
            FloatVector rC = aC.sub(kC.mul(V_LN2_HI)).sub(kC.mul(V_LN2_LO));
            FloatVector qC = rC.mul(V_E5).add(V_E4).mul(rC).add(V_E3).mul(rC).add(V_E2).mul(rC).add(V_E1).mul(rC)
                    .add(V_E0);
            IntVector k1C = kiC.lanewise(VectorOperators.ASHR, INT_ONE);
            FloatVector eC = qC.mul(rC.mul(rC)).add(rC).add(ONE)
                    .mul(k1C.add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                    .mul(kiC.sub(k1C).add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                    .blend(POS_INF, aC.compare(VectorOperators.GE, V_OVERFLOW))
                    .blend(ZERO, aC.compare(VectorOperators.LT, V_UNDERFLOW));
            FloatVector largeC = eC.neg().add(ONE).div(eC.add(ONE)).reinterpretAsInts().and(MAGNITUDE)
                    .or(cj.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
            FloatVector t = largeC.blend(smallC, axC.compare(VectorOperators.LT, V_TANH_SMALL));
            cj.intoArray(c, c0 + j);
            t.intoArray(tanhC, t0 + j);
            o.mul(t).intoArray(h, h0 + j);
        }
        for (; j < n; j++) {
            float cj = gates[g0 + n + j] * cPrev[cp0 + j] + gates[g0 + j] * gates[g0 + 2 * n + j];
            float t = FloatMath.tanh(cj);
            c[c0 + j] = cj;
            tanhC[t0 + j] = t;
            h[h0 + j] = gates[g0 + 3 * n + j] * t;
        }
    }

    @Override
    public void lstmBackward(int batch, int hidden, float[] gates, int gatesOff, float[] cPrev, int cPrevOff,
                             float[] tanhC, int tanhCOff, float[] dh, int dhOff, float[] dc, int dcOff, float[] dGates,
                             int dGatesOff, float[] dcPrev, int dcPrevOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int g0 = gatesOff + b * 4 * n;
            int cp0 = cPrevOff + b * n;
            int t0 = tanhCOff + b * n;
            int dh0 = dhOff + b * n;
            int dc0 = dcOff + b * n;
            int dg0 = dGatesOff + b * 4 * n;
            int dcp0 = dcPrevOff + b * n;
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector i = FloatVector.fromArray(S, gates, g0 + j);
                FloatVector f = FloatVector.fromArray(S, gates, g0 + n + j);
                FloatVector g = FloatVector.fromArray(S, gates, g0 + 2 * n + j);
                FloatVector o = FloatVector.fromArray(S, gates, g0 + 3 * n + j);
                FloatVector t = FloatVector.fromArray(S, tanhC, t0 + j);
                FloatVector dhj = FloatVector.fromArray(S, dh, dh0 + j);
                FloatVector dcT = dhj.mul(o).mul(t.mul(t).neg().add(ONE));
                if (dc != null) {
                    dcT = FloatVector.fromArray(S, dc, dc0 + j).add(dcT);
                }
                dcT.mul(g).mul(i.mul(i.neg().add(ONE))).intoArray(dGates, dg0 + j);
                dcT.mul(FloatVector.fromArray(S, cPrev, cp0 + j)).mul(f.mul(f.neg().add(ONE)))
                        .intoArray(dGates, dg0 + n + j);
                dcT.mul(i).mul(g.mul(g).neg().add(ONE)).intoArray(dGates, dg0 + 2 * n + j);
                dhj.mul(t).mul(o.mul(o.neg().add(ONE))).intoArray(dGates, dg0 + 3 * n + j);
                dcT.mul(f).intoArray(dcPrev, dcp0 + j);
            }
            ScalarRecurrent.lstmBackwardRow(n, j, gates, g0, cPrev, cp0, tanhC, t0, dh, dh0, dc, dc0, dGates, dg0,
                    dcPrev, dcp0);
        }
    }

    @Override
    public void lstmForward(int batch, int hidden, double[] gates, int gatesOff, double[] bias, int biasOff,
                            double[] cPrev, int cPrevOff, double[] c, int cOff, double[] tanhC, int tanhCOff,
                            double[] h, int hOff) {
        SCALAR.lstmForward(batch, hidden, gates, gatesOff, bias, biasOff, cPrev, cPrevOff, c, cOff, tanhC, tanhCOff, h,
                hOff);
    }

    @Override
    public void lstmBackward(int batch, int hidden, double[] gates, int gatesOff, double[] cPrev, int cPrevOff,
                             double[] tanhC, int tanhCOff, double[] dh, int dhOff, double[] dc, int dcOff,
                             double[] dGates, int dGatesOff, double[] dcPrev, int dcPrevOff) {
        SCALAR.lstmBackward(batch, hidden, gates, gatesOff, cPrev, cPrevOff, tanhC, tanhCOff, dh, dhOff, dc, dcOff,
                dGates, dGatesOff, dcPrev, dcPrevOff);
    }

    @Override
    public void gruForward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev,
                           int hPrevOff, float[] h, int hOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int gx0 = gxOff + b * 3 * n;
            int gh0 = ghOff + b * 3 * n;
            int hp0 = hPrevOff + b * n;
            int h0 = hOff + b * n;
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector xr = FloatVector.fromArray(S, gx, gx0 + j).add(FloatVector.fromArray(S, gh, gh0 + j));
                FloatVector xz = FloatVector.fromArray(S, gx, gx0 + n + j)
                        .add(FloatVector.fromArray(S, gh, gh0 + n + j));
                VectorMask<Float> tailR = xr.compare(VectorOperators.LT, V_SIGMOID_EXP_BELOW);
                FloatVector aR = xr.neg().blend(xr, tailR);
                FloatVector tR = aR.mul(V_LOG2E).add(V_MAGIC);
                FloatVector kR = tR.sub(V_MAGIC);
                IntVector kiR = tR.reinterpretAsInts().sub(V_MAGIC_BITS);
                FloatVector rR = aR.sub(kR.mul(V_LN2_HI)).sub(kR.mul(V_LN2_LO));
                FloatVector qR = rR.mul(V_E5).add(V_E4).mul(rR).add(V_E3).mul(rR).add(V_E2).mul(rR).add(V_E1).mul(rR)
                        .add(V_E0);
                IntVector k1R = kiR.lanewise(VectorOperators.ASHR, INT_ONE);
                FloatVector eR = qR.mul(rR.mul(rR)).add(rR).add(ONE)
                        .mul(k1R.add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                        .mul(kiR.sub(k1R).add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                        .blend(POS_INF, aR.compare(VectorOperators.GE, V_OVERFLOW))
                        .blend(ZERO, aR.compare(VectorOperators.LT, V_UNDERFLOW));
                FloatVector r = ONE.div(eR.add(ONE)).blend(eR, tailR);
                VectorMask<Float> tailZ = xz.compare(VectorOperators.LT, V_SIGMOID_EXP_BELOW);
                FloatVector aZ = xz.neg().blend(xz, tailZ);
                FloatVector tZ = aZ.mul(V_LOG2E).add(V_MAGIC);
                FloatVector kZ = tZ.sub(V_MAGIC);
                IntVector kiZ = tZ.reinterpretAsInts().sub(V_MAGIC_BITS);
                FloatVector rZ = aZ.sub(kZ.mul(V_LN2_HI)).sub(kZ.mul(V_LN2_LO));
                FloatVector qZ = rZ.mul(V_E5).add(V_E4).mul(rZ).add(V_E3).mul(rZ).add(V_E2).mul(rZ).add(V_E1).mul(rZ)
                        .add(V_E0);
                IntVector k1Z = kiZ.lanewise(VectorOperators.ASHR, INT_ONE);
                FloatVector eZ = qZ.mul(rZ.mul(rZ)).add(rZ).add(ONE)
                        .mul(k1Z.add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                        .mul(kiZ.sub(k1Z).add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                        .blend(POS_INF, aZ.compare(VectorOperators.GE, V_OVERFLOW))
                        .blend(ZERO, aZ.compare(VectorOperators.LT, V_UNDERFLOW));
                FloatVector z = ONE.div(eZ.add(ONE)).blend(eZ, tailZ);
                FloatVector xn = FloatVector.fromArray(S, gx, gx0 + 2 * n + j)
                        .add(r.mul(FloatVector.fromArray(S, gh, gh0 + 2 * n + j)));
                FloatVector axN = xn.abs();
                FloatVector zN = xn.mul(xn);
                FloatVector pN = zN.mul(V_T4).add(V_T3).mul(zN).add(V_T2).mul(zN).add(V_T1).mul(zN).add(V_T0);
                FloatVector smallN = pN.mul(zN).mul(xn).add(xn).blend(xn, xn.compare(VectorOperators.EQ, ZERO));
                FloatVector aN = axN.mul(MINUS_TWO);
                FloatVector tN = aN.mul(V_LOG2E).add(V_MAGIC);
                FloatVector kN = tN.sub(V_MAGIC);
                IntVector kiN = tN.reinterpretAsInts().sub(V_MAGIC_BITS);
                FloatVector rN = aN.sub(kN.mul(V_LN2_HI)).sub(kN.mul(V_LN2_LO));
                FloatVector qN = rN.mul(V_E5).add(V_E4).mul(rN).add(V_E3).mul(rN).add(V_E2).mul(rN).add(V_E1).mul(rN)
                        .add(V_E0);
                IntVector k1N = kiN.lanewise(VectorOperators.ASHR, INT_ONE);
                FloatVector eN = qN.mul(rN.mul(rN)).add(rN).add(ONE)
                        .mul(k1N.add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                        .mul(kiN.sub(k1N).add(BIAS).lanewise(VectorOperators.LSHL, TWENTY_THREE).reinterpretAsFloats())
                        .blend(POS_INF, aN.compare(VectorOperators.GE, V_OVERFLOW))
                        .blend(ZERO, aN.compare(VectorOperators.LT, V_UNDERFLOW));
                FloatVector largeN = eN.neg().add(ONE).div(eN.add(ONE)).reinterpretAsInts().and(MAGNITUDE)
                        .or(xn.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
                FloatVector nn = largeN.blend(smallN, axN.compare(VectorOperators.LT, V_TANH_SMALL));
                r.intoArray(gx, gx0 + j);
                z.intoArray(gx, gx0 + n + j);
                nn.intoArray(gx, gx0 + 2 * n + j);
                z.neg().add(ONE).mul(nn).add(z.mul(FloatVector.fromArray(S, hPrev, hp0 + j))).intoArray(h, h0 + j);
            }
            ScalarRecurrent.gruForwardRow(n, j, gx, gx0, gh, gh0, hPrev, hp0, h, h0);
        }
    }

    @Override
    public void gruBackward(int batch, int hidden, float[] gx, int gxOff, float[] gh, int ghOff, float[] hPrev,
                            int hPrevOff, float[] dh, int dhOff, float[] dGx, int dGxOff, float[] dGh, int dGhOff,
                            float[] dhPrev, int dhPrevOff) {
        int n = hidden;
        for (int b = 0; b < batch; b++) {
            int gx0 = gxOff + b * 3 * n;
            int gh0 = ghOff + b * 3 * n;
            int hp0 = hPrevOff + b * n;
            int dh0 = dhOff + b * n;
            int dgx0 = dGxOff + b * 3 * n;
            int dgh0 = dGhOff + b * 3 * n;
            int dhp0 = dhPrevOff + b * n;
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector r = FloatVector.fromArray(S, gx, gx0 + j);
                FloatVector z = FloatVector.fromArray(S, gx, gx0 + n + j);
                FloatVector nn = FloatVector.fromArray(S, gx, gx0 + 2 * n + j);
                FloatVector d = FloatVector.fromArray(S, dh, dh0 + j);
                FloatVector dn = d.mul(z.neg().add(ONE)).mul(nn.mul(nn).neg().add(ONE));
                FloatVector dr = dn.mul(FloatVector.fromArray(S, gh, gh0 + 2 * n + j)).mul(r.mul(r.neg().add(ONE)));
                FloatVector dz = d.mul(FloatVector.fromArray(S, hPrev, hp0 + j).sub(nn)).mul(z.mul(z.neg().add(ONE)));
                dr.intoArray(dGx, dgx0 + j);
                dz.intoArray(dGx, dgx0 + n + j);
                dn.intoArray(dGx, dgx0 + 2 * n + j);
                dr.intoArray(dGh, dgh0 + j);
                dz.intoArray(dGh, dgh0 + n + j);
                dn.mul(r).intoArray(dGh, dgh0 + 2 * n + j);
                d.mul(z).intoArray(dhPrev, dhp0 + j);
            }
            ScalarRecurrent.gruBackwardRow(n, j, gx, gx0, gh, gh0, hPrev, hp0, dh, dh0, dGx, dgx0, dGh, dgh0, dhPrev,
                    dhp0);
        }
    }

    @Override
    public void gruForward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff, double[] hPrev,
                           int hPrevOff, double[] h, int hOff) {
        SCALAR.gruForward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff);
    }

    @Override
    public void gruBackward(int batch, int hidden, double[] gx, int gxOff, double[] gh, int ghOff, double[] hPrev,
                            int hPrevOff, double[] dh, int dhOff, double[] dGx, int dGxOff, double[] dGh, int dGhOff,
                            double[] dhPrev, int dhPrevOff) {
        SCALAR.gruBackward(batch, hidden, gx, gxOff, gh, ghOff, hPrev, hPrevOff, dh, dhOff, dGx, dGxOff, dGh, dGhOff,
                dhPrev, dhPrevOff);
    }
}
