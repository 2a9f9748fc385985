package dev.engram.verify.bounds;

import dev.engram.verify.LinearConstraint;

import java.util.List;

/**
 * Lower bounds of a linear function over a box intersected with linear input constraints {@code p_k · x <= q_k}
 * (a region of a rule or a VNN-LIB property). For each constraint the Lagrangian dual
 * {@code max_{μ>=0} min_box (a + μ p) · x - μ q} is solved exactly (it is concave and piecewise linear in μ, so its
 * maximum lies at 0 or at a breakpoint {@code μ = -a_i / p_i}); every value of it is a valid lower bound, and the
 * best over the constraints is returned (never below the plain box minimum).
 *
 * <p>Each value is computed in double and lowered by its own rounding error: the coefficients {@code a_i + μ p_i}
 * are off by at most {@code γ_2 (|a_i| + μ |p_i|)}, and the sum of {@code d + 1} terms by {@code γ_{d+1}} of their
 * magnitudes, so {@code γ_{d+4} (μ |q| + Σ_i (|a_i| + μ |p_i|) max|x_i|)} is subtracted; the result is a lower bound
 * of the exact minimum.
 */
final class InputPolytope {
    private InputPolytope() {
    }

    static double min(double[] a, double[] lo, double[] hi, double[] mag, List<LinearConstraint> cons) {
        double best = dual(a, 0, null, 0, lo, hi, mag);
        for (LinearConstraint c : cons) {
            double[] p = c.coefficients();
            for (int i = 0; i < a.length; i++) {
                if (p[i] != 0) {
                    double mu = -a[i] / p[i];
                    if (mu > 0 && Double.isFinite(mu)) {
                        best = Math.max(best, dual(a, mu, p, c.bound(), lo, hi, mag));
                    }
                }
            }
        }
        return best;
    }

    /** A lower bound of {@code min over the box of (a + mu p) · x - mu q}. */
    private static double dual(double[] a, double mu, double[] p, double q, double[] lo, double[] hi, double[] mag) {
        double v = -mu * q;
        double size = Math.abs(mu * q);
        double magSum = 1; // an underflowing mu p_i is off by 2^-1075, times |x_i|
        for (int i = 0; i < a.length; i++) {
            double ai = p == null ? a[i] : a[i] + mu * p[i];
            v += ai > 0 ? ai * lo[i] : ai * hi[i];
            size += (Math.abs(a[i]) + (p == null ? 0 : mu * Math.abs(p[i]))) * mag[i];
            magSum += mag[i];
        }
        double err = Rounding.gamma(a.length + 4) * size + Rounding.TINY * magSum;
        return Math.nextDown(v - Rounding.up(err, a.length + 2));
    }
}
