package dev.lanes.kernel;

/**
 * Naive GEMM accumulated in double, with a per-element error bound for a float computation of
 * the same product.
 */
final class GemmReference {

    private GemmReference() {
    }

    static double opA(Problem p, int i, int q) {
        return p.transA() ? p.a()[p.aOff() + q * p.lda() + i] : p.a()[p.aOff() + i * p.lda() + q];
    }

    static double opB(Problem p, int q, int j) {
        return p.transB() ? p.b()[p.bOff() + j * p.ldb() + q] : p.b()[p.bOff() + q * p.ldb() + j];
    }

    /**
     * Checks every element of {@code c} against the double-precision product, with the classic
     * bound for a length-k dot product in float: |error| <= (k + 2) u (|alpha| sum |a b| +
     * |beta c|), u = 2^-24, doubled for slack from the final scaling. Elements outside C (the
     * offset prefix, the padding between rows, the tail) must be untouched.
     *
     * @return null when all is well, else a description of the first bad element
     */
    static String check(Problem p, float[] c0, float[] c) {
        double u = Math.ulp(1.0f) / 2;
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                double sum = 0;
                double abs = 0;
                for (int q = 0; q < p.k(); q++) {
                    double t = opA(p, i, q) * opB(p, q, j);
                    sum += t;
                    abs += Math.abs(t);
                }
                int idx = p.cOff() + i * p.ldc() + j;
                double old = p.beta() == 0f ? 0 : c0[idx];
                double expect = p.alpha() * sum + p.beta() * old;
                double bound = 2 * (p.k() + 2) * u * (Math.abs(p.alpha()) * abs + Math.abs(p.beta() * old))
                        + Float.MIN_NORMAL;
                double got = c[idx];
                if (!(Math.abs(got - expect) <= bound)) {
                    return "C(" + i + "," + j + ") = " + got + ", expected " + expect + " +- " + bound + " for " + p;
                }
            }
        }
        boolean[] inside = new boolean[c.length];
        for (int i = 0; i < p.m(); i++) {
            for (int j = 0; j < p.n(); j++) {
                inside[p.cOff() + i * p.ldc() + j] = true;
            }
        }
        for (int x = 0; x < c.length; x++) {
            if (!inside[x] && Float.floatToRawIntBits(c[x]) != Float.floatToRawIntBits(c0[x])) {
                return "element " + x + " outside C changed from " + c0[x] + " to " + c[x] + " for " + p;
            }
        }
        return null;
    }
}
