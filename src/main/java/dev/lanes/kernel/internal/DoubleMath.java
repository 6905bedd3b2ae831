package dev.lanes.kernel.internal;

/**
 * Double precision exp, log, tanh, sigmoid and erf for the F64 path (gradient checks and
 * fixtures): {@link Math}'s where it has them, and close to correctly rounded otherwise.
 */
public final class DoubleMath {

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

    private DoubleMath() {
    }

    /** @return e^x */
    public static double exp(double x) {
        return Math.exp(x);
    }

    /** @return the natural logarithm */
    public static double log(double x) {
        return Math.log(x);
    }

    /** @return the hyperbolic tangent */
    public static double tanh(double x) {
        return Math.tanh(x);
    }

    /** The logistic function, computed from e^-|x| so that it never overflows. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1d / (1d + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1d + e);
    }

    /**
     * The error function to about 1e-15: its Maclaurin series below |x| = 2, where the terms
     * stay small enough that cancellation costs at most a digit; above, 1 - erfc(x) with erfc
     * from its continued fraction (Lentz's method), which converges fast there.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax < 2) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double x2 = x * x;
            double power = x; // (-1)^n x^(2n+1) / n!
            double sum = x;
            for (int n = 1; n < 100; n++) {
                power *= -x2 / n;
                double term = power / (2 * n + 1);
                sum += term;
                if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        if (ax > 6) {
            return Math.copySign(1d, x); // erfc(6) < 3e-17
        }
        return Math.copySign(1d - erfc(ax), x);
    }

    /**
     * erfc(x) for x >= 2: e^(-x^2) / sqrt(pi) / K with
     * {@code K = x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...))))}.
     */
    private static double erfc(double x) {
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2d;
            d = x + a * d;
            d = d == 0 ? tiny : d;
            c = x + a / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) * ONE_OVER_SQRT_PI / f;
    }
}
