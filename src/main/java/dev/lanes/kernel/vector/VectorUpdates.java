package dev.lanes.kernel.vector;

import dev.lanes.kernel.internal.UpdateKernels;
import dev.lanes.kernel.scalar.ScalarUpdates;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Optimizer updates on the preferred float species: the scalar provider's operations lane by
 * lane (same bits; sqrt and division are correctly rounded in both), the last {@code n mod L}
 * elements by the scalar code; tensors of {@link #STREAMING} elements or more run the scalar
 * loops too. Double precision runs the scalar provider's loops.
 */
final class VectorUpdates implements UpdateKernels {

    static final VectorUpdates INSTANCE = new VectorUpdates();

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ScalarUpdates SCALAR = ScalarUpdates.INSTANCE;
    /**
     * From this many parameters the data streams from L3 or memory, and C2's own vectorisation
     * of the scalar loops (which aligns its stores to cache lines) beats these loops; below it,
     * the vector loops are at least as fast. Same bits either way.
     */
    private static final int STREAMING = 1 << 19;

    private VectorUpdates() {
    }

    @Override
    public void sgd(float[] p, float[] g, float[] buf, int n, float lr, float momentum, float oneMinusDampening,
                    float weightDecay, boolean nesterov, boolean first) {
        if (n >= STREAMING) {
            SCALAR.sgd(p, g, buf, n, lr, momentum, oneMinusDampening, weightDecay, nesterov, first);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, i);
            FloatVector d = FloatVector.fromArray(S, g, i);
            if (weightDecay != 0f) {
                d = d.add(pv.mul(weightDecay));
            }
            if (momentum != 0f) {
                FloatVector b = first ? d : FloatVector.fromArray(S, buf, i).mul(momentum).add(d.mul(oneMinusDampening));
                b.intoArray(buf, i);
                d = nesterov ? d.add(b.mul(momentum)) : b;
            }
            pv.sub(d.mul(lr)).intoArray(p, i);
        }
        ScalarUpdates.sgd(p, g, buf, i, n, lr, momentum, oneMinusDampening, weightDecay, nesterov, first);
    }

    @Override
    public void adam(float[] p, float[] g, float[] m, float[] v, float[] vMax, int n, float stepSize, float beta1,
                     float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2Sqrt, float eps,
                     float weightDecay, float decay) {
        if (n >= STREAMING) {
            SCALAR.adam(p, g, m, v, vMax, n, stepSize, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps,
                    weightDecay, decay);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector w = FloatVector.fromArray(S, p, i);
            if (decay != 1f) {
                w = w.mul(decay);
            }
            FloatVector d = FloatVector.fromArray(S, g, i);
            if (weightDecay != 0f) {
                d = d.add(w.mul(weightDecay));
            }
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(beta1).add(d.mul(oneMinusBeta1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(d.mul(oneMinusBeta2).mul(d));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            if (vMax != null) {
                vi = FloatVector.fromArray(S, vMax, i).lanewise(VectorOperators.MAX, vi);
                vi.intoArray(vMax, i);
            }
            w.sub(mi.mul(stepSize).div(vi.sqrt().div(bc2Sqrt).add(eps))).intoArray(p, i);
        }
        ScalarUpdates.adam(p, g, m, v, vMax, i, n, stepSize, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps,
                weightDecay, decay);
    }

    @Override
    public void sgd(double[] p, double[] g, double[] buf, int n, double lr, double momentum, double oneMinusDampening,
                    double weightDecay, boolean nesterov, boolean first) {
        SCALAR.sgd(p, g, buf, n, lr, momentum, oneMinusDampening, weightDecay, nesterov, first);
    }

    @Override
    public void adagrad(float[] p, float[] g, float[] sum, int n, float clr, float weightDecay, float eps) {
        if (n >= STREAMING) {
            SCALAR.adagrad(p, g, sum, n, clr, weightDecay, eps);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, i);
            FloatVector d = FloatVector.fromArray(S, g, i);
            if (weightDecay != 0f) {
                d = d.add(pv.mul(weightDecay));
            }
            FloatVector s = FloatVector.fromArray(S, sum, i).add(d.mul(d));
            s.intoArray(sum, i);
            pv.sub(d.mul(clr).div(s.sqrt().add(eps))).intoArray(p, i);
        }
        ScalarUpdates.adagrad(p, g, sum, i, n, clr, weightDecay, eps);
    }

    @Override
    public void adagrad(double[] p, double[] g, double[] sum, int n, double clr, double weightDecay, double eps) {
        SCALAR.adagrad(p, g, sum, n, clr, weightDecay, eps);
    }

    @Override
    public void adadelta(float[] p, float[] g, float[] squareAvg, float[] accDelta, int n, float lr, float rho,
                         float oneMinusRho, float eps, float weightDecay) {
        if (n >= STREAMING) {
            SCALAR.adadelta(p, g, squareAvg, accDelta, n, lr, rho, oneMinusRho, eps, weightDecay);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, i);
            FloatVector d = FloatVector.fromArray(S, g, i);
            if (weightDecay != 0f) {
                d = d.add(pv.mul(weightDecay));
            }
            FloatVector sq = FloatVector.fromArray(S, squareAvg, i).mul(rho).add(d.mul(oneMinusRho).mul(d));
            sq.intoArray(squareAvg, i);
            FloatVector acc = FloatVector.fromArray(S, accDelta, i);
            FloatVector delta = acc.add(eps).sqrt().div(sq.add(eps).sqrt()).mul(d);
            acc.mul(rho).add(delta.mul(oneMinusRho).mul(delta)).intoArray(accDelta, i);
            pv.sub(delta.mul(lr)).intoArray(p, i);
        }
        ScalarUpdates.adadelta(p, g, squareAvg, accDelta, i, n, lr, rho, oneMinusRho, eps, weightDecay);
    }

    @Override
    public void adadelta(double[] p, double[] g, double[] squareAvg, double[] accDelta, int n, double lr, double rho,
                         double oneMinusRho, double eps, double weightDecay) {
        SCALAR.adadelta(p, g, squareAvg, accDelta, n, lr, rho, oneMinusRho, eps, weightDecay);
    }

    @Override
    public void rmsprop(float[] p, float[] g, float[] squareAvg, float[] gradAvg, float[] buf, int n, float lr,
                        float alpha, float oneMinusAlpha, float eps, float weightDecay, float momentum) {
        if (n >= STREAMING) {
            SCALAR.rmsprop(p, g, squareAvg, gradAvg, buf, n, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum);
            return;
        }
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, i);
            FloatVector d = FloatVector.fromArray(S, g, i);
            if (weightDecay != 0f) {
                d = d.add(pv.mul(weightDecay));
            }
            FloatVector sq = FloatVector.fromArray(S, squareAvg, i).mul(alpha).add(d.mul(oneMinusAlpha).mul(d));
            sq.intoArray(squareAvg, i);
            FloatVector avg;
            if (gradAvg != null) {
                FloatVector ga = FloatVector.fromArray(S, gradAvg, i).mul(alpha).add(d.mul(oneMinusAlpha));
                ga.intoArray(gradAvg, i);
                avg = sq.sub(ga.mul(ga)).sqrt().add(eps);
            } else {
                avg = sq.sqrt().add(eps);
            }
            if (buf != null) {
                FloatVector b = FloatVector.fromArray(S, buf, i).mul(momentum).add(d.div(avg));
                b.intoArray(buf, i);
                pv.sub(b.mul(lr)).intoArray(p, i);
            } else {
                pv.sub(d.mul(lr).div(avg)).intoArray(p, i);
            }
        }
        ScalarUpdates.rmsprop(p, g, squareAvg, gradAvg, buf, i, n, lr, alpha, oneMinusAlpha, eps, weightDecay,
                momentum);
    }

    @Override
    public void rmsprop(double[] p, double[] g, double[] squareAvg, double[] gradAvg, double[] buf, int n, double lr,
                        double alpha, double oneMinusAlpha, double eps, double weightDecay, double momentum) {
        SCALAR.rmsprop(p, g, squareAvg, gradAvg, buf, n, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum);
    }

    @Override
    public void adam(double[] p, double[] g, double[] m, double[] v, double[] vMax, int n, double stepSize,
                     double beta1, double oneMinusBeta1, double beta2, double oneMinusBeta2, double bc2Sqrt,
                     double eps, double weightDecay, double decay) {
        SCALAR.adam(p, g, m, v, vMax, n, stepSize, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps,
                weightDecay, decay);
    }
}
