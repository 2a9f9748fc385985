package dev.engram.verify.bounds;

/**
 * The constants of the error model ({@code docs/verifier.md}, "Floating point"): unit roundoffs and Higham's
 * {@code γ_n = n·u / (1 − n·u)} (Accuracy and Stability of Numerical Algorithms, 2nd ed., Lemma 3.1: a sum of
 * {@code n+1} terms in any order, or a dot product of length {@code n}, is exact up to a factor
 * {@code 1 + θ} per term with {@code |θ| <= γ_n}) for float32 (the network as executed) and for double (the
 * bound computation itself). Every value returned is rounded up, so it can be used as a bound directly.
 */
public final class Rounding {
    /** Unit roundoff of float32: {@code 2^-24}. */
    public static final double F32_U = 0x1p-24;
    /**
     * Absolute error allowance per float32 operation for results below the normal range: a product or sum that
     * underflows is off by at most {@code 2^-150} with gradual underflow, and by less than {@code 2^-126} when the
     * hardware flushes subnormals to zero (FTZ/DAZ, common on GPUs); we allow the latter.
     */
    public static final double F32_TINY = 0x1p-126;
    /** Above this magnitude a float32 sum may overflow, and no finite error bound holds. */
    public static final double F32_SAFE_MAX = 0x1p126;
    /** Unit roundoff of double: {@code 2^-53}. */
    public static final double U = 0x1p-53;
    /**
     * Absolute error allowance of the whole bound computation for double results below the normal range
     * ({@code 2^-1074} per operation, at most {@code 2^34} operations per bound, times the largest magnitude
     * involved, which the callers multiply in).
     */
    public static final double TINY = 0x1p-1000;

    private Rounding() {
    }

    /** {@code γ_n} for float32, rounded up; infinite when {@code n·u >= 1/2} (no useful bound). */
    public static double gamma32(long n) {
        return gamma(n, F32_U);
    }

    /**
     * {@code γ_n} for double, rounded up. For {@code n·u <= 2^-20} (any {@code n} below {@code 2^33}) it is at
     * most {@code n·u·(1 + 2^-19)}, which needs no division: this is called in the inner loops of the bounds.
     */
    public static double gamma(long n) {
        // n·u is exact; times 1 + 2^-18 and rounded it is still at least n·u·(1 + 2^-19)
        return n < (1L << 33) ? n * U * (1 + 0x1p-18) : gamma(n, U);
    }

    private static double gamma(long n, double u) {
        double nu = n * u; // exact: n < 2^53 and u a power of two
        if (nu >= 0.5) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.nextUp(Math.nextUp(nu) / Math.nextDown(1 - nu));
    }

    /**
     * {@code x} (a sum of {@code n} non-negative terms computed in double, or an error bound built from such sums)
     * scaled up by {@code 1 + 2γ_n} and rounded up: an upper bound of the exact sum.
     */
    public static double up(double x, long n) {
        if (n < (1L << 20) && x > 0x1p-1000) {
            // 2γ_{n+2} <= 2^-31 here, and x·(1 + 2^-30) rounded is at least x·(1 + 2^-31): no nextUp needed
            return x * (1 + 0x1p-30);
        }
        return Math.nextUp(x * (1 + 2 * gamma(n + 2)));
    }

    /** {@code a · b} for non-negative factors, 0 when either is 0 (so that {@code 0 · ∞} is 0, not NaN). */
    public static double mulPos(double a, double b) {
        return a == 0 || b == 0 ? 0 : a * b;
    }
}
