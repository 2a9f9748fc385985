package dev.engram.dict;

import java.util.Arrays;

/**
 * A concept's closed-form linear probe at one layer, from the layer's statistics alone: shrinkage LDA,
 * {@code w = (Σ + γ (tr Σ / d) I)⁻¹ (μ₊ − μ₋)} with {@code Σ} the layer's covariance (for two classes the total
 * covariance gives the same direction as the pooled within-class one, by Sherman–Morrison, and it does not need the
 * rows whose concept value is unknown), and the Bayes threshold of the projected classes,
 * {@code t = (w·μ₊ + w·μ₋)/2 + s² ln(n₋/n₊) / (w·μ₊ − w·μ₋)} with {@code s²} the within-class variance along
 * {@code w}. Stored as a unit direction with its threshold. Also the most selective units: the largest standardised
 * mean differences {@code (μ₊ − μ₋)_i / σ_i}.
 *
 * @param direction unit vector; the probe says "positive" when {@code direction · h > threshold}
 * @param selective the most selective units, most selective first
 * @param effect    their standardised mean differences (signed)
 */
public record ConceptProbe(double[] direction, double threshold, int[] selective, double[] effect) {

    /** Default shrinkage {@code γ}: a twentieth of the average variance added to every variance. */
    public static final double SHRINKAGE = 0.05;

    /** How many selective units a probe lists. */
    public static final int SELECTIVE = 8;

    /** The probe of concept {@code c} from {@code m}; null when one class has no examples. */
    public static ConceptProbe fit(LayerMoments m, int c, double shrinkage, LinearAlgebra la) {
        long np = m.positives(c);
        long nn = m.negatives(c);
        if (np == 0 || nn == 0) {
            return null;
        }
        int d = m.dim();
        double[] cov = m.covariance();
        double[] mp = m.positiveMean(c);
        double[] mn = m.negativeMean(c);
        double[] delta = new double[d];
        double trace = 0;
        for (int i = 0; i < d; i++) {
            delta[i] = mp[i] - mn[i];
            trace += cov[i * d + i];
        }
        double ridge = shrinkage * (trace / Math.max(1, d)) + 1e-9;
        double[] reg = cov.clone();
        for (int i = 0; i < d; i++) {
            reg[i * d + i] += ridge;
        }
        double[] w = la.solveSpd(reg, d, delta, 1);
        double p = (double) np / (np + nn);
        double wd = dot(w, delta);
        double s2 = Math.max(quad(cov, w, d) - p * (1 - p) * wd * wd, 1e-12 * Math.max(1e-12, wd * wd));
        double mid = (dot(w, mp) + dot(w, mn)) / 2;
        double t = wd > 0 ? mid + s2 * Math.log((double) nn / np) / wd : mid;
        double norm = Math.sqrt(dot(w, w));
        if (!(norm > 0) || !Double.isFinite(norm)) {
            return null;
        }
        double[] u = new double[d];
        for (int i = 0; i < d; i++) {
            u[i] = w[i] / norm;
        }
        return new ConceptProbe(u, t / norm, top(delta, cov, p, d), effects(delta, cov, p, d));
    }

    private static double[] standardised(double[] delta, double[] cov, double p, int d) {
        double[] e = new double[d];
        for (int i = 0; i < d; i++) {
            double within = cov[i * d + i] - p * (1 - p) * delta[i] * delta[i];
            e[i] = delta[i] / Math.sqrt(Math.max(within, 0) + 1e-12);
        }
        return e;
    }

    private static int[] top(double[] delta, double[] cov, double p, int d) {
        double[] e = standardised(delta, cov, p, d);
        Integer[] idx = new Integer[d];
        for (int i = 0; i < d; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(e[b]), Math.abs(e[a])));
        int k = Math.min(SELECTIVE, d);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static double[] effects(double[] delta, double[] cov, double p, int d) {
        double[] e = standardised(delta, cov, p, d);
        int[] t = top(delta, cov, p, d);
        double[] out = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = e[t[i]];
        }
        return out;
    }

    /** The probe's score {@code direction · h − threshold}. */
    public double score(float[] h) {
        double s = -threshold;
        for (int i = 0; i < direction.length; i++) {
            s += direction[i] * h[i];
        }
        return s;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double quad(double[] m, double[] v, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double r = 0;
            for (int j = 0; j < d; j++) {
                r += m[i * d + j] * v[j];
            }
            s += v[i] * r;
        }
        return s;
    }

    /**
     * The area under the ROC curve of {@code scores} for the rows with {@code label} 1 (positive) or 0 (negative),
     * ties counted half (the Mann–Whitney statistic); NaN when a class is empty.
     */
    public static double auc(double[] scores, byte[] label) {
        int pos = 0;
        int neg = 0;
        for (byte l : label) {
            pos += l == 1 ? 1 : 0;
            neg += l == 0 ? 1 : 0;
        }
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        double[] p = new double[pos];
        double[] q = new double[neg];
        pos = 0;
        neg = 0;
        for (int i = 0; i < scores.length; i++) {
            if (label[i] == 1) {
                p[pos++] = scores[i];
            } else if (label[i] == 0) {
                q[neg++] = scores[i];
            }
        }
        Arrays.sort(p);
        Arrays.sort(q);
        // Mann-Whitney: pairs (positive, negative) ordered right count 1, ties 1/2 (the mid-rank formula's value)
        long twiceU = 0;
        int below = 0;
        int upTo = 0;
        for (double s : p) {
            while (below < neg && q[below] < s) {
                below++;
            }
            upTo = Math.max(upTo, below);
            while (upTo < neg && q[upTo] == s) {
                upTo++;
            }
            twiceU += 2L * below + (upTo - below);
        }
        return twiceU / (2.0 * pos * neg);
    }

    /** The share of rows with a known label whose sign of {@code scores} agrees with it. */
    public static double accuracy(double[] scores, byte[] label) {
        long ok = 0;
        long all = 0;
        for (int i = 0; i < scores.length; i++) {
            if (label[i] == 1 || label[i] == 0) {
                all++;
                ok += (scores[i] > 0) == (label[i] == 1) ? 1 : 0;
            }
        }
        return all == 0 ? Double.NaN : (double) ok / all;
    }
}
