package dev.engram.dict;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Unsupervised atoms of a layer: a sparse, nonnegative dictionary over its activations centred on the layer mean,
 * {@code x − μ ≈ Σ_j a_j d_j} with unit atoms {@code d_j}, codes {@code a_j >= 0} and at most {@code s} codes per row.
 * Learned by alternating (Engan, Aase and Husøy's Method of Optimal Directions, 1999): codes by nonnegative
 * orthogonal matching pursuit (Pati, Rezaiifar and Krishnaprasad, 1993; {@link #code}), then
 * the least-squares dictionary for those codes, {@code D = (AᵀA + εI)⁻¹ AᵀX}, rows normalised; an atom no row uses
 * or that duplicates an earlier one (cosine above {@value #TWIN}) is reseeded with the worst-reconstructed row. Initialised by k-means++ seeding (Arthur and Vassilvitskii, 2007)
 * from a seeded generator, so the atoms are a pure function of the rows and the seed. Plain Java: the rows are a
 * bounded sample (the fit sample), not the whole data.
 */
final class SparseAtoms {
    /** Cosine above which an atom duplicates an earlier one and is reseeded. */
    static final double TWIN = 0.95;
    /** Runs from different seedings (alternating minimisation finds local optima). */
    static final int RESTARTS = 3;
    /** Alternations of coding and dictionary update. */
    static final int ITERATIONS = 25;

    private SparseAtoms() {
    }

    /**
     * {@code k} unit atoms ({@code k × d}) for the centred rows {@code x} ({@code m × d}), {@code s} codes a row: the
     * best (most energy reconstructed) of {@link #RESTARTS} runs from different seedings.
     */
    static double[][] learn(double[][] x, int k, int s, long seed) {
        if (x.length == 0 || k < 1 || s < 1) {
            throw new IllegalArgumentException(x.length + " rows, " + k + " atoms, sparsity " + s);
        }
        Random rnd = new Random(seed);
        double[][] best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int run = 0; run < RESTARTS; run++) {
            double[][] atoms = seed(x, k, rnd);
            for (int it = 0; it < ITERATIONS; it++) {
                double[][] a = new double[x.length][];
                for (int r = 0; r < x.length; r++) {
                    a[r] = code(atoms, x[r], s);
                }
                atoms = update(x, a, atoms);
            }
            double score = explained(atoms, x, s);
            if (best == null || score > bestScore) {
                best = atoms;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * The codes of {@code x}: nonnegative orthogonal matching pursuit, {@code s} steps. Each step adds the atom of
     * largest positive correlation with the residual and refits the chosen atoms' codes by least squares; it stops
     * when no atom correlates positively or the refit would make a code negative (then the previous codes stand).
     */
    static double[] code(double[][] atoms, double[] x, int s) {
        double[] res = x.clone();
        double[] a = new double[atoms.length];
        int[] support = new int[Math.min(s, atoms.length)];
        int size = 0;
        while (size < support.length) {
            int best = -1;
            double bv = 1e-12 * Math.sqrt(dot(x, x));
            for (int j = 0; j < atoms.length; j++) {
                double c = dot(atoms[j], res);
                if (c > bv && a[j] == 0) {
                    bv = c;
                    best = j;
                }
            }
            if (best < 0) {
                break;
            }
            support[size] = best;
            double[] fit = refit(atoms, support, size + 1, x);
            if (fit == null) {
                break;
            }
            size++;
            java.util.Arrays.fill(a, 0);
            res = x.clone();
            for (int t = 0; t < size; t++) {
                double[] dj = atoms[support[t]];
                a[support[t]] = fit[t];
                for (int i = 0; i < res.length; i++) {
                    res[i] -= fit[t] * dj[i];
                }
            }
        }
        return a;
    }

    /** Least-squares codes of {@code x} on atoms {@code support[0..n)}; null when one is not positive. */
    private static double[] refit(double[][] atoms, int[] support, int n, double[] x) {
        double[] g = new double[n * n];
        double[] b = new double[n];
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                g[p * n + q] = dot(atoms[support[p]], atoms[support[q]]) + (p == q ? 1e-10 : 0);
            }
            b[p] = dot(atoms[support[p]], x);
        }
        double[] c;
        try {
            c = LinearAlgebra.plain().solveSpd(g, n, b, 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (double v : c) {
            if (!(v > 0)) {
                return null;
            }
        }
        return c;
    }

    /**
     * Atoms of one layer, named: learned on the fit sample's activations {@code fit} centred on {@code mean}, then
     * every held-out row {@code held} coded, and each atom named by the concept whose held-out labels
     * ({@code labels[c]}: 1 positive, 0 negative, else unknown) its code separates best (highest AUC); unnamed (empty)
     * when even the best is no better than chance (AUC at most 0.5: the atom fires for none of the concepts).
     */
    static Dictionary.Atoms describe(int source, int layer, float[][] fit, float[][] held, double[] mean,
                                     List<String> concepts, byte[][] labels, int k, int s, long seed) {
        double[][] x = centred(fit, mean);
        double[][] h = centred(held, mean);
        double[][] atoms = learn(x, k, s, seed);
        double[][] codes = new double[h.length][];
        for (int r = 0; r < h.length; r++) {
            codes[r] = code(atoms, h[r], s);
        }
        List<Dictionary.Atom> out = new ArrayList<>();
        for (int j = 0; j < atoms.length; j++) {
            double[] score = new double[h.length];
            int used = 0;
            for (int r = 0; r < h.length; r++) {
                score[r] = codes[r][j];
                used += score[r] > 0 ? 1 : 0;
            }
            String name = "";
            double best = Double.NaN;
            for (int c = 0; c < concepts.size(); c++) {
                double auc = ConceptProbe.auc(score, labels[c]);
                if (!Double.isNaN(auc) && (Double.isNaN(best) || auc > best)) {
                    best = auc;
                    name = concepts.get(c);
                }
            }
            if (!(best > 0.5)) {
                name = "";
            }
            out.add(new Dictionary.Atom(atoms[j], h.length == 0 ? 0 : (double) used / h.length, name, best));
        }
        return new Dictionary.Atoms(source, layer, s, h.length == 0 ? Double.NaN : explained(atoms, h, s), out);
    }

    private static double[][] centred(float[][] rows, double[] mean) {
        double[][] x = new double[rows.length][mean.length];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < mean.length; i++) {
                x[r][i] = rows[r][i] - mean[i];
            }
        }
        return x;
    }

    /** The share of {@code Σ ‖x‖²} the atoms' codes reconstruct: {@code 1 − Σ ‖x − Dᵀa‖² / Σ ‖x‖²}. */
    static double explained(double[][] atoms, double[][] x, int s) {
        double err = 0;
        double all = 0;
        for (double[] row : x) {
            double[] a = code(atoms, row, s);
            for (int i = 0; i < row.length; i++) {
                double rec = 0;
                for (int j = 0; j < atoms.length; j++) {
                    rec += a[j] * atoms[j][i];
                }
                err += (row[i] - rec) * (row[i] - rec);
                all += row[i] * row[i];
            }
        }
        return all > 0 ? 1 - err / all : Double.NaN;
    }

    /** k-means++ seeding on the rows' directions, weighted by their energy off the atoms chosen so far. */
    private static double[][] seed(double[][] x, int k, Random rnd) {
        int m = x.length;
        int d = x[0].length;
        double[][] atoms = new double[k][];
        double[] off = new double[m];
        for (int r = 0; r < m; r++) {
            off[r] = dot(x[r], x[r]);
        }
        for (int j = 0; j < k; j++) {
            double total = 0;
            for (double v : off) {
                total += v;
            }
            int pick = 0;
            if (total > 0) {
                double u = rnd.nextDouble() * total;
                while (pick < m - 1 && (u -= off[pick]) > 0) {
                    pick++;
                }
            } else {
                pick = rnd.nextInt(m);
            }
            atoms[j] = unit(x[pick].clone(), j, d);
            for (int r = 0; r < m; r++) {
                double c = dot(atoms[j], x[r]);
                off[r] = Math.min(off[r], Math.max(0, dot(x[r], x[r]) - Math.max(0, c) * c));
            }
        }
        return atoms;
    }

    /** The least-squares atoms for codes {@code a}; unused or vanishing atoms reseeded with the worst rows. */
    private static double[][] update(double[][] x, double[][] a, double[][] old) {
        int m = x.length;
        int k = old.length;
        int d = x[0].length;
        double[] g = new double[k * k];
        double[] b = new double[k * d];
        double trace = 0;
        for (int r = 0; r < m; r++) {
            double[] ar = a[r];
            for (int p = 0; p < k; p++) {
                if (ar[p] == 0) {
                    continue;
                }
                for (int q = 0; q < k; q++) {
                    g[p * k + q] += ar[p] * ar[q];
                }
                for (int i = 0; i < d; i++) {
                    b[p * d + i] += ar[p] * x[r][i];
                }
            }
        }
        for (int p = 0; p < k; p++) {
            trace += g[p * k + p];
        }
        double ridge = 1e-9 * Math.max(trace / k, 1e-300);
        boolean[] used = new boolean[k];
        for (int p = 0; p < k; p++) {
            used[p] = g[p * k + p] > 0;
            if (!used[p]) {
                g[p * k + p] = 1;
            } else {
                g[p * k + p] += ridge;
            }
        }
        double[] sol = LinearAlgebra.plain().solveSpd(g, k, b, d);
        double[][] atoms = new double[k][];
        double[] worst = null;
        for (int p = 0; p < k; p++) {
            double[] row = unit(java.util.Arrays.copyOfRange(sol, p * d, (p + 1) * d), p, d);
            boolean twin = false;
            for (int q = 0; q < p && used[p]; q++) {
                twin |= dot(atoms[q], row) > TWIN;
            }
            if (!used[p] || twin) {
                worst = worst == null ? residuals(x, a, old) : worst;
                int w = 0;
                for (int r = 1; r < m; r++) {
                    w = worst[r] > worst[w] ? r : w;
                }
                worst[w] = -1;
                row = x[w].clone();
            }
            atoms[p] = unit(row, p, d);
        }
        return atoms;
    }

    /** Each row's squared reconstruction error under {@code atoms} and codes {@code a}. */
    private static double[] residuals(double[][] x, double[][] a, double[][] atoms) {
        double[] out = new double[x.length];
        for (int r = 0; r < x.length; r++) {
            for (int i = 0; i < x[r].length; i++) {
                double rec = 0;
                for (int j = 0; j < atoms.length; j++) {
                    rec += a[r][j] * atoms[j][i];
                }
                out[r] += (x[r][i] - rec) * (x[r][i] - rec);
            }
        }
        return out;
    }

    /** {@code v} scaled to unit length; a zero vector becomes the unit vector {@code e_(j mod d)}. */
    private static double[] unit(double[] v, int j, int d) {
        double n = Math.sqrt(dot(v, v));
        if (n == 0 || !Double.isFinite(n)) {
            double[] e = new double[d];
            e[j % d] = 1;
            return e;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= n;
        }
        return v;
    }

    static double dot(double[] a, double[] b) {
        return ConceptProbe.dot(a, b);
    }
}
