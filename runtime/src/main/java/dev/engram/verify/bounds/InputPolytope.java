package dev.engram.verify.bounds;

import dev.engram.verify.LinearConstraint;

import java.util.List;

/**
 * Lower bounds of a linear function over a box intersected with linear input constraints {@code p_k · x <= q_k}
 * (a region of a rule or a VNN-LIB property). For each constraint the Lagrangian dual
 * {@code max_{μ>=0} min_box (a + μ p) · x - μ q} is solved exactly (it is concave and piecewise linear in μ, so its
 * maximum lies at 0 or at a breakpoint {@code μ = -a_i / p_i}); every value of it is a valid lower bound, and the
 * best over the constraints is returned (never below the plain box minimum).
 */
final class InputPolytope {
    private InputPolytope() {
    }

    static double min(double[] a, double[] lo, double[] hi, List<LinearConstraint> cons) {
        double best = dual(a, 0, null, 0, lo, hi);
        for (LinearConstraint c : cons) {
            double[] p = c.coefficients();
            for (int i = 0; i < a.length; i++) {
                if (p[i] != 0) {
                    double mu = -a[i] / p[i];
                    if (mu > 0 && Double.isFinite(mu)) {
                        best = Math.max(best, dual(a, mu, p, c.bound(), lo, hi));
                    }
                }
            }
        }
        return best;
    }

    /** {@code min over the box of (a + mu p) · x - mu q}. */
    private static double dual(double[] a, double mu, double[] p, double q, double[] lo, double[] hi) {
        double v = -mu * q;
        for (int i = 0; i < a.length; i++) {
            double ai = p == null ? a[i] : a[i] + mu * p[i];
            v += ai > 0 ? ai * lo[i] : ai * hi[i];
        }
        return v;
    }
}
