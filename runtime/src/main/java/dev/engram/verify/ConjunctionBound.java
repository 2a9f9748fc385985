package dev.engram.verify;

import dev.engram.verify.bounds.LinearBounds;
import dev.engram.verify.bounds.Rounding;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Refutes one conjunction {@code c_j · y <= b_j (all j)} of the unsafe set on a box. Each constraint gets a linear
 * lower bound {@code L_j(x) <= c_j · y(x) - b_j} from one backward pass; the conjunction is impossible on the box
 * when some convex combination {@code Σ λ_j L_j} stays above 0 everywhere on it (then at every point some
 * constraint is violated). The weights solve {@code max_λ min_x Σ λ_j L_j(x)} (the dual of
 * {@code min_x max_j L_j(x)}, a small LP over the box) by multiplicative-weights supergradient ascent, and the best
 * combination is then bounded once more by its own backward pass, whose relaxation choices fit it better.
 *
 * <p>Every {@code L_j} is sound for the float32 network ({@link LinearBounds}); the double arithmetic here is made
 * sound the same way: a combination's computed minimum is lowered by {@code γ_{m+d+2} Σ_j λ_j size_j}, where
 * {@code size_j = Σ_i |a_ji| max|x_i| + |constant_j|} (the rounding of the combined coefficients and of the minimum
 * over the box), and a combined objective {@code Σ_j λ_j c_j} rounded to {@code ĉ} by
 * {@code γ_{m+1} Σ_j λ_j (|b_j| + Σ_o |c_jo| max|y_o|)}. So a positive score is a proof.
 */
final class ConjunctionBound {
    private static final int ITERATIONS = 40;

    private ConjunctionBound() {
    }

    /**
     * The outcome on one box: {@code refuted}; {@code score} is a lower bound of the best combination (positive
     * exactly when refuted; the larger the closer to refutation), the input coefficients {@code coef} of the best
     * combined bound (for branching) and its minimiser {@code arg}. {@code witness} is null unless a bound minimiser
     * turned out to be a counterexample. {@code objective}, when not null, is the best combination's objective over the
     * outputs with its threshold as last entry (see {@link #combined}), for {@link #boundObjective}.
     */
    record Outcome(boolean refuted, double score, double[] coef, double[] arg, double[] witness, double[] objective) {
        Outcome(boolean refuted, double score, double[] coef, double[] arg, double[] witness) {
            this(refuted, score, coef, arg, witness, null);
        }
    }

    /** Linear lower bounds {@code a_r · x + cst_r} to combine, with their sizes (for the rounding terms). */
    private record Rows(double[][] a, double[] cst, double[] size) {
        static Rows of(int rows, int d) {
            return new Rows(new double[rows][d], new double[rows], new double[rows]);
        }

        void size(int r, double[] mag) {
            double s = Math.abs(cst[r]);
            for (int i = 0; i < mag.length; i++) {
                s += Math.abs(a[r][i]) * mag[i];
            }
            size[r] = Rounding.up(s, mag.length + 1);
        }
    }

    /**
     * As {@link #bound(LinearBounds, List, double[], double[], double[], double[], Predicate)}, on the part of the
     * box where the region's input constraints {@code p_k · x <= q_k} hold. Each input constraint joins the
     * combination as a row {@code s_k (p_k · x - q_k)} (lowered by its rounding): when {@code Σ λ_r row_r(x) > 0}
     * everywhere on the box, at every point some row is positive, so the point either violates an output constraint
     * or violates an input constraint (it is outside the region).
     */
    static Outcome bound(LinearBounds b, List<LinearConstraint> cs, List<LinearConstraint> inputs, double[] lo,
                         double[] hi, double[] olo, double[] ohi, Predicate<double[]> isWitness) {
        Outcome plain = bound(b, cs, lo, hi, olo, ohi, isWitness);
        if (inputs.isEmpty() || plain.refuted() || plain.witness() != null || b.overflow()) {
            return plain;
        }
        int m = cs.size();
        int kIn = inputs.size();
        int d = lo.length;
        double[] mag = magnitudes(lo, hi);
        Rows rows = Rows.of(m + kIn, d);
        for (int j = 0; j < m; j++) {
            LinearConstraint c = cs.get(j);
            rows.cst[j] = Math.nextDown(b.linearLowerBound(c.coefficients(), rows.a[j]) - c.bound());
            rows.size(j, mag);
        }
        for (int k = 0; k < kIn; k++) {
            inputRow(inputs.get(k), lo, hi, mag, rows, m + k);
        }
        double[] lambda = new double[m + kIn];
        double bestPhi = ascend(rows, lo, hi, mag, 4 * ITERATIONS, -1, lambda);
        // the output part of the best combination bounded by its own backward pass, plus the input rows
        double total = Double.NEGATIVE_INFINITY;
        double outWeight = 0;
        for (int j = 0; j < m; j++) {
            outWeight += lambda[j];
        }
        if (outWeight > 0) {
            Rows comb = Rows.of(1 + kIn, d);
            double[] c = combined(cs, lambda, olo, ohi);
            double[] objective = Arrays.copyOf(c, c.length - 1);
            comb.cst[0] = Math.nextDown(b.linearLowerBound(objective, comb.a[0]) - c[c.length - 1]);
            comb.size(0, mag);
            double[] w = new double[1 + kIn];
            w[0] = 1;
            for (int k = 0; k < kIn; k++) {
                System.arraycopy(rows.a[m + k], 0, comb.a[1 + k], 0, d);
                comb.cst[1 + k] = rows.cst[m + k];
                comb.size[1 + k] = rows.size[m + k];
                w[1 + k] = lambda[m + k];
            }
            total = minimum(comb, w, lo, hi, mag, null, null);
        }
        double score = Math.max(total, bestPhi);
        if (score > 0) {
            return new Outcome(true, score, null, null, null);
        }
        return new Outcome(false, Math.max(score, plain.score()), plain.coef(), plain.arg(), null);
    }

    static Outcome bound(LinearBounds b, List<LinearConstraint> cs, double[] lo, double[] hi, double[] olo,
                         double[] ohi, Predicate<double[]> isWitness) {
        int m = cs.size();
        int d = lo.length;
        if (b.overflow()) {
            return new Outcome(false, Double.NEGATIVE_INFINITY, new double[d], centre(lo, hi), null);
        }
        double[] mag = magnitudes(lo, hi);
        Rows rows = Rows.of(m, d);
        double[][] args = new double[m][d];
        int best = -1;
        double bestLb = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
            LinearConstraint c = cs.get(j);
            // L_j(x) = a_j · x + cst_j <= c_j · y - b_j: the function's own constant (a polytope minimum may be
            // tighter than the function, so it is not the constant)
            rows.cst[j] = Math.nextDown(b.linearLowerBound(c.coefficients(), rows.a[j], c.bound()) - c.bound());
            rows.size(j, mag);
            double lb = Math.nextDown(rows.cst[j] + b.minimum(rows.a[j], args[j]));
            if (lb > 0) {
                return new Outcome(true, lb, null, null, null);
            }
            if (isWitness.test(args[j])) {
                return new Outcome(false, lb, rows.a[j], args[j], args[j]);
            }
            if (lb > bestLb || best < 0) {
                bestLb = lb;
                best = j;
            }
        }
        if (m == 1) {
            return new Outcome(false, bestLb, rows.a[0], args[0], null);
        }
        double[] lambda = new double[m];
        double bestPhi = ascend(rows, lo, hi, mag, ITERATIONS, best, lambda);
        if (bestPhi > 0) {
            return new Outcome(true, bestPhi, null, null, null);
        }
        // the best combination, bounded by its own backward pass
        double[] c = combined(cs, lambda, olo, ohi);
        double[] coef = new double[d];
        double[] arg = new double[d];
        double[] objective = Arrays.copyOf(c, c.length - 1);
        double lb = Math.nextDown(b.lowerBound(objective, coef, arg, c[c.length - 1]) - c[c.length - 1]);
        if (lb > 0) {
            return new Outcome(true, lb, null, null, null);
        }
        if (isWitness.test(arg)) {
            return new Outcome(false, lb, coef, arg, arg);
        }
        return new Outcome(false, Math.max(lb, bestPhi), coef, arg, null, c);
    }

    /**
     * The conjunction bounded through one objective only: {@code objective} (over the outputs, its threshold as last
     * entry, as {@link Outcome#objective}) gets its own backward pass on {@code b}; refuted when its lower bound
     * exceeds the threshold (at every point of the box the combination, and so some constraint, is violated).
     */
    static Outcome boundObjective(LinearBounds b, double[] objective, double[] lo, double[] hi,
                                  Predicate<double[]> isWitness) {
        int d = lo.length;
        if (b.overflow()) {
            return new Outcome(false, Double.NEGATIVE_INFINITY, new double[d], centre(lo, hi), null);
        }
        double[] coef = new double[d];
        double[] arg = new double[d];
        double t = objective[objective.length - 1];
        double lb = Math.nextDown(b.lowerBound(Arrays.copyOf(objective, objective.length - 1), coef, arg, t) - t);
        if (lb > 0) {
            return new Outcome(true, lb, null, null, null);
        }
        if (isWitness.test(arg)) {
            return new Outcome(false, lb, coef, arg, arg);
        }
        return new Outcome(false, lb, coef, arg, null, objective);
    }

    /**
     * Multiplicative-weights supergradient ascent on {@code λ} for {@code max_λ min_x Σ λ_r row_r(x)}, from uniform
     * weights (and the single row {@code first} as a candidate, when {@code first >= 0}); the best weights go to
     * {@code lambda}, the sound minimum they reach is returned. Stops once it is positive.
     */
    private static double ascend(Rows rows, double[] lo, double[] hi, double[] mag, int iterations, int first,
                                 double[] lambda) {
        int n = rows.cst.length;
        int d = lo.length;
        double[] w = new double[n];
        double bestPhi = Double.NEGATIVE_INFINITY;
        if (first >= 0) {
            w[first] = 1;
            bestPhi = minimum(rows, w, lo, hi, mag, null, null);
            System.arraycopy(w, 0, lambda, 0, n);
        }
        Arrays.fill(w, 1.0 / n);
        double[] x = new double[d];
        double[] s = new double[n];
        for (int t = 0; t < iterations && bestPhi <= 0; t++) {
            double phi = minimum(rows, w, lo, hi, mag, x, s);
            if (phi > bestPhi || bestPhi == Double.NEGATIVE_INFINITY) {
                bestPhi = phi;
                System.arraycopy(w, 0, lambda, 0, n);
            }
            double smax = 0;
            for (int r = 0; r < n; r++) {
                smax = Math.max(smax, Math.abs(s[r]));
            }
            if (bestPhi > 0 || smax == 0 || !Double.isFinite(smax)) {
                break;
            }
            // raise the weight of rows violated at the minimiser (supergradient row_r(x*))
            double eta = 1.0 / Math.sqrt(t + 1);
            double sum = 0;
            for (int r = 0; r < n; r++) {
                w[r] = Math.max(w[r] * Math.exp(eta * s[r] / smax), 1e-12);
                sum += w[r];
            }
            for (int r = 0; r < n; r++) {
                w[r] /= sum;
            }
        }
        return bestPhi;
    }

    /**
     * A lower bound of {@code min over the box of Σ_r w_r row_r(x)} (weights {@code w_r >= 0}); {@code x}, when
     * given, receives the minimising corner and {@code values} the rows' values there (for the ascent).
     */
    private static double minimum(Rows rows, double[] w, double[] lo, double[] hi, double[] mag, double[] x,
                                  double[] values) {
        int d = lo.length;
        int n = w.length;
        double[] comb = new double[d];
        double c0 = 0;
        double size = 0;
        for (int r = 0; r < n; r++) {
            if (w[r] == 0) {
                continue;
            }
            c0 += w[r] * rows.cst[r];
            size += w[r] * rows.size[r];
            for (int i = 0; i < d; i++) {
                comb[i] += w[r] * rows.a[r][i];
            }
        }
        double v = c0;
        for (int i = 0; i < d; i++) {
            double ai = comb[i];
            v += ai > 0 ? ai * lo[i] : ai * hi[i];
            if (x != null) {
                x[i] = ai > 0 ? lo[i] : ai < 0 ? hi[i] : 0.5 * (lo[i] + hi[i]);
            }
        }
        if (values != null) {
            for (int r = 0; r < n; r++) {
                double s = rows.cst[r];
                for (int i = 0; i < d; i++) {
                    s += rows.a[r][i] * x[i];
                }
                values[r] = s;
            }
        }
        double err = Rounding.gamma(n + d + 2) * size + Rounding.TINY * (1 + size);
        return Math.nextDown(v - Rounding.up(err, n + 2));
    }

    /**
     * The combined objective {@code Σ_j λ_j c_j} (over the outputs) and, as its last entry, the threshold it must
     * exceed: {@code Σ_j λ_j b_j} raised by the rounding of both (see the class comment).
     */
    private static double[] combined(List<LinearConstraint> cs, double[] lambda, double[] olo, double[] ohi) {
        int outputs = cs.get(0).coefficients().length;
        double[] c = new double[outputs + 1];
        double rhs = 0;
        double size = 0;
        for (int j = 0; j < cs.size(); j++) {
            if (lambda[j] == 0) {
                continue;
            }
            double[] cj = cs.get(j).coefficients();
            for (int o = 0; o < outputs; o++) {
                c[o] += lambda[j] * cj[o];
            }
            rhs += lambda[j] * cs.get(j).bound();
            size += lambda[j] * scale(cs.get(j), olo, ohi);
        }
        c[outputs] = Math.nextUp(rhs + Rounding.up(Rounding.gamma(cs.size() + 1) * size, cs.size() + 2));
        return c;
    }

    /** {@code |b| + Σ |c_j| max|y_j|} over the output bounds: the magnitude of a constraint's value. */
    static double scale(LinearConstraint c, double[] olo, double[] ohi) {
        double scale = Math.abs(c.bound());
        for (int j = 0; j < olo.length; j++) {
            scale += Math.abs(c.coefficients()[j]) * Math.max(Math.abs(olo[j]), Math.abs(ohi[j]));
        }
        return Rounding.up(scale, olo.length + 1);
    }

    /**
     * Row {@code r}: input constraint {@code p · x <= q} as {@code s (p · x - q)} with {@code s} normalising its
     * spread over the box, its constant lowered by the rounding of {@code s p} and {@code s q}, so that the row is
     * positive only where the constraint is violated.
     */
    private static void inputRow(LinearConstraint g, double[] lo, double[] hi, double[] mag, Rows rows, int r) {
        int d = lo.length;
        double spread = 0;
        double size = Math.abs(g.bound());
        for (int i = 0; i < d; i++) {
            double pi = g.coefficients()[i];
            spread += Math.abs(pi) * (hi[i] - lo[i]);
            size += Math.abs(pi) * mag[i];
        }
        double sk = 1.0 / Math.max(spread, 1e-12);
        for (int i = 0; i < d; i++) {
            rows.a[r][i] = sk * g.coefficients()[i];
        }
        double err = Rounding.up(4 * Rounding.U * sk * size + Rounding.TINY * (1 + size), d + 2);
        rows.cst[r] = Math.nextDown(Math.nextDown(-sk * g.bound()) - err);
        rows.size(r, mag);
    }

    private static double[] magnitudes(double[] lo, double[] hi) {
        double[] mag = new double[lo.length];
        for (int i = 0; i < mag.length; i++) {
            mag[i] = Math.max(Math.abs(lo[i]), Math.abs(hi[i]));
        }
        return mag;
    }

    private static double[] centre(double[] lo, double[] hi) {
        double[] x = new double[lo.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.5 * (lo[i] + hi[i]);
        }
        return x;
    }
}
