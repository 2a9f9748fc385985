package dev.engram.verify.graph;

import java.util.List;

/**
 * A linear lower bound {@code a·x + c} minimised over the input box intersected with linear constraints
 * {@code p_k·x + c_k <= 0} (the ReLU splits of a subdomain, each as a linear bound of its executed pre-activation), by
 * the Lagrangian dual {@code max_{μ>=0} min_box (a + Σ μ_k p_k)·x + c + Σ μ_k c_k} (β-CROWN's idea, Wang et al.
 * NeurIPS 2021, applied to the final linear bound): any {@code μ >= 0} gives a valid bound (weak duality), so the
 * multipliers are tuned by projected supergradient ascent with Polyak steps towards 0 and the best value is kept.
 * Each value is lowered by {@code 2^-30} times the magnitude of every term it sums, which covers its double rounding.
 */
final class SplitDual {
    /** One constraint {@code p·x + c <= 0}. */
    record Constraint(double[] p, double c) {
    }

    private SplitDual() {
    }

    static double lower(double[] a, double c, List<Constraint> cons, Range box, int steps) {
        double best = GraphBounds.minimum(a, c, box);
        if (cons.isEmpty() || best > 0) {
            return best;
        }
        int k = cons.size();
        double[] mu = new double[k];
        double[] g = new double[k];
        double target = Math.abs(best) * 0.05; // Polyak's step towards a value just above 0
        for (int t = 0; t < steps; t++) {
            double v = value(a, c, cons, mu, box, g);
            best = Math.max(best, v);
            if (best > 0) {
                return best;
            }
            double norm = 0;
            for (int j = 0; j < k; j++) {
                if (mu[j] > 0 || g[j] > 0) {
                    norm += g[j] * g[j];
                }
            }
            if (!(norm > 0)) {
                return best;
            }
            double step = (target - v) / norm;
            for (int j = 0; j < k; j++) {
                mu[j] = Math.max(0, mu[j] + step * g[j]);
            }
        }
        return best;
    }

    /** The dual's value at {@code mu}, rounded down, and its supergradient ({@code p_k·x* + c_k}) in {@code g}. */
    private static double value(double[] a, double c, List<Constraint> cons, double[] mu, Range box, double[] g) {
        int n = a.length;
        double[] coef = a.clone();
        double[] mag = new double[n];
        double cst = c;
        double cmag = Math.abs(c);
        for (int i = 0; i < n; i++) {
            mag[i] = Math.abs(a[i]);
        }
        for (int j = 0; j < mu.length; j++) {
            if (mu[j] == 0) {
                continue;
            }
            double[] p = cons.get(j).p();
            for (int i = 0; i < n; i++) {
                coef[i] += mu[j] * p[i];
                mag[i] += mu[j] * Math.abs(p[i]);
            }
            cst += mu[j] * cons.get(j).c();
            cmag += mu[j] * Math.abs(cons.get(j).c());
        }
        double s = cst;
        double size = cmag;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = coef[i] > 0 ? box.lo()[i] : box.hi()[i];
            if (coef[i] != 0) {
                s += coef[i] * x[i];
            }
            size += mag[i] * box.mag(i);
        }
        for (int j = 0; j < mu.length; j++) {
            double[] p = cons.get(j).p();
            double gj = cons.get(j).c();
            for (int i = 0; i < n; i++) {
                gj += p[i] * x[i];
            }
            g[j] = gj;
        }
        double v = Math.nextDown(s - 0x1p-30 * size);
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }
}
