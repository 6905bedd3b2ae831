package dev.lanes.kernel.internal;

/**
 * Fused optimizer updates: one pass over a parameter's storage that reads its gradient and state
 * and writes the parameter and state in place, with no temporaries. The formulas and their order
 * are PyTorch 1.13's single-tensor implementations; coefficients derived from hyperparameters
 * (such as {@code 1 - dampening} or Adam's step size) are computed by the caller in double.
 * Arrays hold {@code n} elements from index 0; optional state arrays are null when unused.
 */
public interface UpdateKernels {

    /**
     * SGD: {@code d = g + wd p}; with momentum {@code buf = first ? d : momentum buf + (1 - dampening) d}
     * and {@code d = nesterov ? d + momentum buf : buf}; then {@code p = p - lr d}.
     */
    void sgd(float[] p, float[] g, float[] buf, int n, float lr, float momentum, float oneMinusDampening,
             float weightDecay, boolean nesterov, boolean first);

    /** SGD in double precision. */
    void sgd(double[] p, double[] g, double[] buf, int n, double lr, double momentum, double oneMinusDampening,
             double weightDecay, boolean nesterov, boolean first);

    /** Adagrad: {@code d = g + wd p; sum += d d; p -= clr d / (sqrt(sum) + eps)}. */
    void adagrad(float[] p, float[] g, float[] sum, int n, float clr, float weightDecay, float eps);

    /** Adagrad in double precision. */
    void adagrad(double[] p, double[] g, double[] sum, int n, double clr, double weightDecay, double eps);

    /**
     * Adadelta: {@code d = g + wd p; sq = rho sq + (1 - rho) d d;
     * delta = sqrt(acc + eps) / sqrt(sq + eps) d; acc = rho acc + (1 - rho) delta delta; p -= lr delta}.
     */
    void adadelta(float[] p, float[] g, float[] squareAvg, float[] accDelta, int n, float lr, float rho,
                  float oneMinusRho, float eps, float weightDecay);

    /** Adadelta in double precision. */
    void adadelta(double[] p, double[] g, double[] squareAvg, double[] accDelta, int n, double lr, double rho,
                  double oneMinusRho, double eps, double weightDecay);

    /**
     * RMSprop: {@code d = g + wd p; sq = alpha sq + (1 - alpha) d d}; centered ({@code gradAvg}
     * given): {@code ga = alpha ga + (1 - alpha) d; avg = sqrt(sq - ga ga) + eps}, else
     * {@code avg = sqrt(sq) + eps}; with momentum ({@code buf} given):
     * {@code buf = momentum buf + d / avg; p -= lr buf}, else {@code p -= lr d / avg}.
     */
    void rmsprop(float[] p, float[] g, float[] squareAvg, float[] gradAvg, float[] buf, int n, float lr,
                 float alpha, float oneMinusAlpha, float eps, float weightDecay, float momentum);

    /** RMSprop in double precision. */
    void rmsprop(double[] p, double[] g, double[] squareAvg, double[] gradAvg, double[] buf, int n, double lr,
                 double alpha, double oneMinusAlpha, double eps, double weightDecay, double momentum);

    /**
     * Adam and AdamW: {@code p = decay p} (AdamW's decoupled decay, 1 for Adam);
     * {@code d = g + wd p} (Adam's coupled decay, 0 for AdamW); {@code m = beta1 m + (1 - beta1) d;
     * v = beta2 v + (1 - beta2) d d}; with amsgrad ({@code vMax} given) {@code vMax = max(vMax, v)}
     * is used for v; {@code p -= stepSize m / (sqrt(v) / bc2Sqrt + eps)}.
     */
    void adam(float[] p, float[] g, float[] m, float[] v, float[] vMax, int n, float stepSize, float beta1,
              float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2Sqrt, float eps, float weightDecay,
              float decay);

    /** Adam and AdamW in double precision. */
    void adam(double[] p, double[] g, double[] m, double[] v, double[] vMax, int n, double stepSize, double beta1,
              double oneMinusBeta1, double beta2, double oneMinusBeta2, double bc2Sqrt, double eps,
              double weightDecay, double decay);
}
