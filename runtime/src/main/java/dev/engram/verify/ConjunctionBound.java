package dev.engram.verify;

import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

import java.util.List;
import java.util.function.Predicate;

/**
 * Refutes one conjunction {@code c_j · y <= b_j (all j)} of the unsafe set on a box. Each constraint gets a linear
 * lower bound {@code L_j(x) <= c_j · y(x) - b_j} from one backward pass; the conjunction is impossible on the box
 * when some convex combination {@code Σ λ_j L_j} stays above the rounding allowance everywhere on it (then at
 * every point some constraint is violated). The weights solve {@code max_λ min_x Σ λ_j L_j(x)} (the dual of
 * {@code min_x max_j L_j(x)}, a small LP over the box) by multiplicative-weights supergradient ascent, and the best
 * combination is then bounded once more by its own backward pass, whose relaxation choices fit it better.
 */
final class ConjunctionBound {
    private static final int ITERATIONS = 40;

    private ConjunctionBound() {
    }

    /**
     * The outcome on one box: {@code refuted}; {@code score} is the best bound minus the allowance (positive
     * exactly when refuted; the larger the closer to refutation), the input coefficients {@code coef} of the best combined bound (for branching) and its minimiser
     * {@code arg}. {@code witness} is null unless a bound minimiser turned out to be a counterexample.
     */
    record Outcome(boolean refuted, double score, double[] coef, double[] arg, double[] witness) {
    }

    /**
     * As {@link #bound(LinearBounds, List, double[], double[], double[], double[], Predicate)}, on the part of the
     * box where the region's input constraints {@code p_k · x <= q_k} hold. Each input constraint joins the
     * combination as a row {@code s_k (p_k · x - q_k - m_k)}: when {@code Σ λ_r row_r(x) > 0} everywhere on the box,
     * at every point some row is positive, so the point either violates an output constraint by more than its
     * allowance or violates an input constraint by more than its allowance {@code m_k} (it is outside the region).
     */
    static Outcome bound(LinearBounds b, List<LinearConstraint> cs, List<LinearConstraint> inputs, double[] lo,
                         double[] hi, double[] olo, double[] ohi, Predicate<double[]> isWitness) {
        Outcome plain = bound(b, cs, lo, hi, olo, ohi, isWitness);
        if (inputs.isEmpty() || plain.refuted() || plain.witness() != null) {
            return plain;
        }
        int m = cs.size();
        int kIn = inputs.size();
        int d = lo.length;
        int rows = m + kIn;
        double[][] a = new double[rows][d];
        double[] cst = new double[rows];
        for (int j = 0; j < m; j++) {
            LinearConstraint c = cs.get(j);
            cst[j] = b.linearLowerBound(c.coefficients(), a[j]) - c.bound() - Bounds.roundingAllowance(scale(c, olo, ohi));
        }
        for (int k = 0; k < kIn; k++) {
            LinearConstraint g = inputs.get(k);
            double size = Math.abs(g.bound());
            double spread = 0;
            for (int i = 0; i < d; i++) {
                double pi = g.coefficients()[i];
                size += Math.abs(pi) * Math.max(Math.abs(lo[i]), Math.abs(hi[i]));
                spread += Math.abs(pi) * (hi[i] - lo[i]);
            }
            double sk = 1.0 / Math.max(spread, 1e-12);
            for (int i = 0; i < d; i++) {
                a[m + k][i] = sk * g.coefficients()[i];
            }
            cst[m + k] = -sk * (g.bound() + Bounds.roundingAllowance(size));
        }
        double[] lambda = new double[rows];
        java.util.Arrays.fill(lambda, 1.0 / rows);
        double[] bestLambda = lambda.clone();
        double bestPhi = Double.NEGATIVE_INFINITY;
        double[] comb = new double[d];
        double[] x = new double[d];
        double[] sv = new double[rows];
        for (int t = 0; t < 4 * ITERATIONS; t++) {
            java.util.Arrays.fill(comb, 0);
            double c0 = 0;
            for (int r = 0; r < rows; r++) {
                c0 += lambda[r] * cst[r];
                for (int i = 0; i < d; i++) {
                    comb[i] += lambda[r] * a[r][i];
                }
            }
            double phi = c0 + corner(comb, lo, hi, x);
            if (phi > bestPhi) {
                bestPhi = phi;
                System.arraycopy(lambda, 0, bestLambda, 0, rows);
            }
            if (bestPhi > 0) {
                break;
            }
            double smax = 0;
            for (int r = 0; r < rows; r++) {
                double v = cst[r];
                for (int i = 0; i < d; i++) {
                    v += a[r][i] * x[i];
                }
                sv[r] = v;
                smax = Math.max(smax, Math.abs(v));
            }
            if (smax == 0) {
                break;
            }
            double eta = 1.0 / Math.sqrt(t + 1);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                lambda[r] = Math.max(lambda[r] * Math.exp(eta * sv[r] / smax), 1e-12);
                sum += lambda[r];
            }
            for (int r = 0; r < rows; r++) {
                lambda[r] /= sum;
            }
        }
        // the output part of the best combination bounded by its own backward pass, plus the input rows
        double[] c = new double[cs.get(0).coefficients().length];
        double rhs = 0;
        double outWeight = 0;
        for (int j = 0; j < m; j++) {
            double[] cj = cs.get(j).coefficients();
            for (int o = 0; o < c.length; o++) {
                c[o] += bestLambda[j] * cj[o];
            }
            rhs += bestLambda[j] * (cs.get(j).bound() + Bounds.roundingAllowance(scale(cs.get(j), olo, ohi)));
            outWeight += bestLambda[j];
        }
        double[] coef = new double[d];
        double total = Double.NEGATIVE_INFINITY;
        if (outWeight > 0) {
            double c0 = b.linearLowerBound(c, coef) - rhs;
            for (int k = 0; k < kIn; k++) {
                c0 += bestLambda[m + k] * cst[m + k];
                for (int i = 0; i < d; i++) {
                    coef[i] += bestLambda[m + k] * a[m + k][i];
                }
            }
            total = c0 + corner(coef, lo, hi, x);
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
        double[][] a = new double[m][d];
        double[] cst = new double[m];
        double[][] args = new double[m][d];
        double allowance = 0;
        int best = -1;
        double bestLb = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
            LinearConstraint c = cs.get(j);
            double lin = b.linearLowerBound(c.coefficients(), a[j]) - c.bound(); // constant of the linear bound
            double lb = lin + b.minimum(a[j], args[j]);
            double mj = Bounds.roundingAllowance(scale(c, olo, ohi));
            if (lb > mj) {
                return new Outcome(true, lb - mj, null, null, null);
            }
            if (isWitness.test(args[j])) {
                return new Outcome(false, lb - mj, a[j], args[j], args[j]);
            }
            allowance = Math.max(allowance, mj);
            cst[j] = lin; // the function's own constant (lb may be a polytope minimum, tighter than the function)
            if (lb - mj > bestLb) {
                bestLb = lb - mj;
                best = j;
            }
        }
        if (m == 1) {
            return new Outcome(false, bestLb, a[0], args[0], null);
        }
        bestLb = cst[best] + corner(a[best], lo, hi, null); // back to the raw bound for the ascent below
        double[] lambda = new double[m];
        java.util.Arrays.fill(lambda, 1.0 / m);
        double[] bestLambda = new double[m];
        bestLambda[best] = 1;
        double bestPhi = bestLb;
        double[] comb = new double[d];
        double[] x = new double[d];
        double[] s = new double[m];
        for (int t = 0; t < ITERATIONS; t++) {
            java.util.Arrays.fill(comb, 0);
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < d; i++) {
                    comb[i] += lambda[j] * a[j][i];
                }
            }
            corner(comb, lo, hi, x);
            double phi = 0;
            double smax = 0;
            for (int j = 0; j < m; j++) {
                double v = cst[j];
                for (int i = 0; i < d; i++) {
                    v += a[j][i] * x[i];
                }
                s[j] = v;
                phi += lambda[j] * v;
                smax = Math.max(smax, Math.abs(v));
            }
            if (phi > bestPhi) {
                bestPhi = phi;
                System.arraycopy(lambda, 0, bestLambda, 0, m);
            }
            if (bestPhi > allowance || smax == 0) {
                break;
            }
            // raise the weight of constraints violated at the minimiser (supergradient L_j(x*))
            double eta = 1.0 / Math.sqrt(t + 1);
            double sum = 0;
            for (int j = 0; j < m; j++) {
                lambda[j] = Math.max(lambda[j] * Math.exp(eta * s[j] / smax), 1e-12);
                sum += lambda[j];
            }
            for (int j = 0; j < m; j++) {
                lambda[j] /= sum;
            }
        }
        if (bestPhi > allowance) {
            return new Outcome(true, bestPhi - allowance, null, null, null);
        }
        // the best combination, bounded by its own backward pass
        double[] c = new double[cs.get(0).coefficients().length];
        double rhs = 0;
        for (int j = 0; j < m; j++) {
            double[] cj = cs.get(j).coefficients();
            for (int o = 0; o < c.length; o++) {
                c[o] += bestLambda[j] * cj[o];
            }
            rhs += bestLambda[j] * cs.get(j).bound();
        }
        double[] coef = new double[d];
        double[] arg = new double[d];
        double lb = b.lowerBound(c, coef, arg) - rhs;
        if (lb > allowance) {
            return new Outcome(true, lb - allowance, null, null, null);
        }
        if (isWitness.test(arg)) {
            return new Outcome(false, lb - allowance, coef, arg, arg);
        }
        return new Outcome(false, Math.max(lb, bestPhi) - allowance, coef, arg, null);
    }

    /** {@code |b| + Σ |c_j| max|y_j|} over the output bounds: the magnitude the allowance scales with. */
    static double scale(LinearConstraint c, double[] olo, double[] ohi) {
        double scale = Math.abs(c.bound());
        for (int j = 0; j < olo.length; j++) {
            scale += Math.abs(c.coefficients()[j]) * Math.max(Math.abs(olo[j]), Math.abs(ohi[j]));
        }
        return scale;
    }

    /** min over the box of {@code a · x}; writes the minimising corner into {@code x} when given. */
    private static double corner(double[] a, double[] lo, double[] hi, double[] x) {
        double v = 0;
        for (int i = 0; i < a.length; i++) {
            double ai = a[i];
            v += ai > 0 ? ai * lo[i] : ai * hi[i];
            if (x != null) {
                x[i] = ai > 0 ? lo[i] : ai < 0 ? hi[i] : 0.5 * (lo[i] + hi[i]);
            }
        }
        return v;
    }
}
