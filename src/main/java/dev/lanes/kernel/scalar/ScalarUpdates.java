package dev.lanes.kernel.scalar;

import dev.lanes.kernel.internal.UpdateKernels;

/** The reference optimizer updates, element by element, in the order UpdateKernels documents. */
public final class ScalarUpdates implements UpdateKernels {

    /** The single instance. */
    public static final ScalarUpdates INSTANCE = new ScalarUpdates();

    private ScalarUpdates() {
    }

    @Override
    public void sgd(float[] p, float[] g, float[] buf, int n, float lr, float momentum, float oneMinusDampening,
                    float weightDecay, boolean nesterov, boolean first) {
        sgd(p, g, buf, 0, n, lr, momentum, oneMinusDampening, weightDecay, nesterov, first);
    }

    /** {@link #sgd(float[], float[], float[], int, float, float, float, float, boolean, boolean)} on [from, n). */
    public static void sgd(float[] p, float[] g, float[] buf, int from, int n, float lr, float momentum,
                           float oneMinusDampening, float weightDecay, boolean nesterov, boolean first) {
        for (int i = from; i < n; i++) {
            float d = weightDecay != 0f ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0f) {
                float b = first ? d : momentum * buf[i] + oneMinusDampening * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] - lr * d;
        }
    }

    @Override
    public void sgd(double[] p, double[] g, double[] buf, int n, double lr, double momentum, double oneMinusDampening,
                    double weightDecay, boolean nesterov, boolean first) {
        for (int i = 0; i < n; i++) {
            double d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0) {
                double b = first ? d : momentum * buf[i] + oneMinusDampening * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] - lr * d;
        }
    }

    @Override
    public void adagrad(float[] p, float[] g, float[] sum, int n, float clr, float weightDecay, float eps) {
        adagrad(p, g, sum, 0, n, clr, weightDecay, eps);
    }

    /** The float {@code adagrad} on [from, n). */
    public static void adagrad(float[] p, float[] g, float[] sum, int from, int n, float clr, float weightDecay,
                               float eps) {
        for (int i = from; i < n; i++) {
            float d = weightDecay != 0f ? g[i] + weightDecay * p[i] : g[i];
            float s = sum[i] + d * d;
            sum[i] = s;
            p[i] = p[i] - clr * d / ((float) Math.sqrt(s) + eps);
        }
    }

    @Override
    public void adagrad(double[] p, double[] g, double[] sum, int n, double clr, double weightDecay, double eps) {
        for (int i = 0; i < n; i++) {
            double d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            double s = sum[i] + d * d;
            sum[i] = s;
            p[i] = p[i] - clr * d / (Math.sqrt(s) + eps);
        }
    }

    @Override
    public void adadelta(float[] p, float[] g, float[] squareAvg, float[] accDelta, int n, float lr, float rho,
                         float oneMinusRho, float eps, float weightDecay) {
        adadelta(p, g, squareAvg, accDelta, 0, n, lr, rho, oneMinusRho, eps, weightDecay);
    }

    /** The float {@code adadelta} on [from, n). */
    public static void adadelta(float[] p, float[] g, float[] squareAvg, float[] accDelta, int from, int n, float lr,
                                float rho, float oneMinusRho, float eps, float weightDecay) {
        for (int i = from; i < n; i++) {
            float d = weightDecay != 0f ? g[i] + weightDecay * p[i] : g[i];
            float sq = rho * squareAvg[i] + oneMinusRho * d * d;
            squareAvg[i] = sq;
            float delta = (float) Math.sqrt(accDelta[i] + eps) / (float) Math.sqrt(sq + eps) * d;
            accDelta[i] = rho * accDelta[i] + oneMinusRho * delta * delta;
            p[i] = p[i] - lr * delta;
        }
    }

    @Override
    public void adadelta(double[] p, double[] g, double[] squareAvg, double[] accDelta, int n, double lr, double rho,
                         double oneMinusRho, double eps, double weightDecay) {
        for (int i = 0; i < n; i++) {
            double d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            double sq = rho * squareAvg[i] + oneMinusRho * d * d;
            squareAvg[i] = sq;
            double delta = Math.sqrt(accDelta[i] + eps) / Math.sqrt(sq + eps) * d;
            accDelta[i] = rho * accDelta[i] + oneMinusRho * delta * delta;
            p[i] = p[i] - lr * delta;
        }
    }

    @Override
    public void rmsprop(float[] p, float[] g, float[] squareAvg, float[] gradAvg, float[] buf, int n, float lr,
                        float alpha, float oneMinusAlpha, float eps, float weightDecay, float momentum) {
        rmsprop(p, g, squareAvg, gradAvg, buf, 0, n, lr, alpha, oneMinusAlpha, eps, weightDecay, momentum);
    }

    /** The float {@code rmsprop} on [from, n). */
    public static void rmsprop(float[] p, float[] g, float[] squareAvg, float[] gradAvg, float[] buf, int from, int n,
                               float lr, float alpha, float oneMinusAlpha, float eps, float weightDecay,
                               float momentum) {
        for (int i = from; i < n; i++) {
            float d = weightDecay != 0f ? g[i] + weightDecay * p[i] : g[i];
            float sq = alpha * squareAvg[i] + oneMinusAlpha * d * d;
            squareAvg[i] = sq;
            float avg;
            if (gradAvg != null) {
                float ga = alpha * gradAvg[i] + oneMinusAlpha * d;
                gradAvg[i] = ga;
                avg = (float) Math.sqrt(sq - ga * ga) + eps;
            } else {
                avg = (float) Math.sqrt(sq) + eps;
            }
            if (buf != null) {
                float b = momentum * buf[i] + d / avg;
                buf[i] = b;
                p[i] = p[i] - lr * b;
            } else {
                p[i] = p[i] - lr * d / avg;
            }
        }
    }

    @Override
    public void rmsprop(double[] p, double[] g, double[] squareAvg, double[] gradAvg, double[] buf, int n, double lr,
                        double alpha, double oneMinusAlpha, double eps, double weightDecay, double momentum) {
        for (int i = 0; i < n; i++) {
            double d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            double sq = alpha * squareAvg[i] + oneMinusAlpha * d * d;
            squareAvg[i] = sq;
            double avg;
            if (gradAvg != null) {
                double ga = alpha * gradAvg[i] + oneMinusAlpha * d;
                gradAvg[i] = ga;
                avg = Math.sqrt(sq - ga * ga) + eps;
            } else {
                avg = Math.sqrt(sq) + eps;
            }
            if (buf != null) {
                double b = momentum * buf[i] + d / avg;
                buf[i] = b;
                p[i] = p[i] - lr * b;
            } else {
                p[i] = p[i] - lr * d / avg;
            }
        }
    }

    @Override
    public void adam(float[] p, float[] g, float[] m, float[] v, float[] vMax, int n, float stepSize, float beta1,
                     float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2Sqrt, float eps,
                     float weightDecay, float decay) {
        adam(p, g, m, v, vMax, 0, n, stepSize, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps, weightDecay,
                decay);
    }

    /** The float {@code adam} on [from, n). */
    public static void adam(float[] p, float[] g, float[] m, float[] v, float[] vMax, int from, int n,
                            float stepSize, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                            float bc2Sqrt, float eps, float weightDecay, float decay) {
        for (int i = from; i < n; i++) {
            float w = decay != 1f ? p[i] * decay : p[i];
            float d = weightDecay != 0f ? g[i] + weightDecay * w : g[i];
            float mi = beta1 * m[i] + oneMinusBeta1 * d;
            float vi = beta2 * v[i] + oneMinusBeta2 * d * d;
            m[i] = mi;
            v[i] = vi;
            if (vMax != null) {
                vi = Math.max(vMax[i], vi);
                vMax[i] = vi;
            }
            p[i] = w - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps);
        }
    }

    @Override
    public void adam(double[] p, double[] g, double[] m, double[] v, double[] vMax, int n, double stepSize,
                     double beta1, double oneMinusBeta1, double beta2, double oneMinusBeta2, double bc2Sqrt,
                     double eps, double weightDecay, double decay) {
        for (int i = 0; i < n; i++) {
            double w = decay != 1 ? p[i] * decay : p[i];
            double d = weightDecay != 0 ? g[i] + weightDecay * w : g[i];
            double mi = beta1 * m[i] + oneMinusBeta1 * d;
            double vi = beta2 * v[i] + oneMinusBeta2 * d * d;
            m[i] = mi;
            v[i] = vi;
            if (vMax != null) {
                vi = Math.max(vMax[i], vi);
                vMax[i] = vi;
            }
            p[i] = w - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps);
        }
    }
}
