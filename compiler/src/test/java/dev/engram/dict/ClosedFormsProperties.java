package dev.engram.dict;

import dev.engram.ir.ConceptCode;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The dictionary's closed forms against independent oracles: Cholesky solves by their residuals; the rank-one edit
 * meets its key exactly and leaves the {@code C⁻¹}-orthogonal complement of the key untouched; the MEMIT solve equals
 * a direct solve through an explicit Gauss–Jordan inverse (and the rank-one edit for one key as {@code λ → 0}); LEACE
 * makes the class-conditional means equal, also through the folded next layer; the probe's AUC equals the pairwise
 * count.
 */
class ClosedFormsProperties {
    static final LinearAlgebra LA = LinearAlgebra.plain();

    /** A random symmetric positive definite matrix {@code XᵀX / n + ε I} with an ill-conditioned direction. */
    static double[] spd(Random r, int d) {
        int n = d + 1 + r.nextInt(2 * d + 2);
        double[] x = new double[n * d];
        for (int k = 0; k < x.length; k++) {
            x[k] = r.nextGaussian() * (1 + (k % d));
        }
        double[] a = new double[d * d];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    a[i * d + j] += x[s * d + i] * x[s * d + j] / n;
                }
            }
        }
        for (int i = 0; i < d; i++) {
            a[i * d + i] += 1e-3;
        }
        return a;
    }

    static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    static double norm(double[] v) {
        return Math.sqrt(ConceptProbe.dot(v, v));
    }

    @Test
    void choleskySolvesLeaveSmallResiduals() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(40);
            int k = 1 + r.nextInt(5);
            double[] a = spd(r, d);
            double[] b = gaussian(r, d * k);
            double[] x = LA.solveSpd(a, d, b, k);
            double[] ax = LA.multiply(a, d, d, x, k);
            double err = 0;
            for (int i = 0; i < b.length; i++) {
                err = Math.max(err, Math.abs(ax[i] - b[i]));
            }
            double scale = 0;
            for (double v : a) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(err <= 1e-9 * Math.max(1, scale * norm(x)), "residual " + err);
        });
    }

    @Test
    void rankOneEditMeetsItsKeyExactlyAndLeavesTheWhitenedComplementAlone() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(30);
            int m = 1 + r.nextInt(10);
            double[] c = spd(r, d);
            double[] key = gaussian(r, d);
            double[] delta = gaussian(r, m);
            double[] w = gaussian(r, m * d);
            double[] u = RankOneEdit.gate(c, key, 0, LA);
            double[] w2 = RankOneEdit.apply(w, m, d, delta, u);
            double[] before = LA.multiply(w, m, d, key, 1);
            double[] after = LA.multiply(w2, m, d, key, 1);
            for (int o = 0; o < m; o++) {
                assertEquals(before[o] + delta[o], after[o], 1e-9 * (1 + Math.abs(before[o]) + Math.abs(delta[o])));
            }
            // a key C⁻¹-orthogonal to the edited one: z minus its C⁻¹-projection on the key
            double[] z = gaussian(r, d);
            double[] cinvKey = LA.solveSpd(c, d, key, 1);
            double f = ConceptProbe.dot(cinvKey, z) / ConceptProbe.dot(cinvKey, key);
            for (int i = 0; i < d; i++) {
                z[i] -= f * key[i];
            }
            double[] dz = LA.multiply(diff(w2, w), m, d, z, 1);
            for (int o = 0; o < m; o++) {
                assertEquals(0, dz[o], 1e-8 * (1 + norm(z)) * (1 + Math.abs(delta[o])) * (1 + norm(u)));
            }
        });
    }

    @Test
    void memitSolveEqualsADirectSolveAndTheRankOneLimit() {
        qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(20);
            int m = 1 + r.nextInt(8);
            int rk = 1 + r.nextInt(2 * d);
            double[] c = spd(r, d);
            double[] keys = gaussian(r, rk * d);
            double[] changes = gaussian(r, rk * m);
            double lambda = Math.exp(r.nextGaussian());
            double[] delta = BatchedEdit.solve(keys, changes, rk, d, m, c, lambda, LA);
            // direct: R Kᵀ (λC + KKᵀ)⁻¹ with an explicit inverse
            double[] a = new double[d * d];
            for (int i = 0; i < d * d; i++) {
                a[i] = lambda * c[i];
            }
            for (int j = 0; j < rk; j++) {
                for (int i = 0; i < d; i++) {
                    for (int p = 0; p < d; p++) {
                        a[i * d + p] += keys[j * d + i] * keys[j * d + p];
                    }
                }
            }
            double[] inv = inverse(a, d);
            double[] rkt = new double[m * d];
            for (int o = 0; o < m; o++) {
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < rk; j++) {
                        rkt[o * d + i] += changes[j * m + o] * keys[j * d + i];
                    }
                }
            }
            double[] direct = LA.multiply(rkt, m, d, inv, d);
            double scale = 1;
            for (double v : direct) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < delta.length; i++) {
                assertEquals(direct[i], delta[i], 1e-7 * scale);
            }
            // one key: the rank-one edit shrunk by q / (λ + q), q = kᵀC⁻¹k (Woodbury), so λ → 0 is ROME
            double[] k1 = java.util.Arrays.copyOf(keys, d);
            double[] r1 = java.util.Arrays.copyOf(changes, m);
            double small = 1e-4;
            double[] one = BatchedEdit.solve(k1, r1, 1, d, m, c, small, LA);
            double[] gate = RankOneEdit.gate(c, k1, 0, LA);
            double q = ConceptProbe.dot(k1, LA.solveSpd(c, d, k1, 1));
            double[] rome = RankOneEdit.apply(new double[m * d], m, d, r1, gate);
            for (int i = 0; i < one.length; i++) {
                assertEquals(rome[i] * q / (small + q), one[i], 1e-6 * (1 + Math.abs(rome[i])));
            }
        });
    }

    @Test
    void leaceMakesTheClassConditionalMeansEqual() {
        qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(16);
            int n = 4 + r.nextInt(300);
            float[][] x = new float[n][d];
            byte[][] z = new byte[1][n];
            double[] shift = gaussian(r, d);
            for (int s = 0; s < n; s++) {
                z[0][s] = (byte) (s < 2 ? s : r.nextInt(3) == 0 ? 1 : 0);
                for (int i = 0; i < d; i++) {
                    double v = r.nextGaussian() * (1 + i) + (z[0][s] == 1 ? 2 * shift[i] : 0);
                    x[s][i] = i == d - 1 && d > 2 ? 0f : (float) Math.max(v, r.nextBoolean() ? 0 : v);
                }
            }
            LayerMoments lm = new LayerMoments(d, 1);
            lm.add(x, n, z);
            ConceptCode code = new ConceptCode("c", 1, new double[d], 0, lm.positiveMean(0), lm.negativeMean(0),
                    lm.mean(), lm.covariance(), lm.count(), lm.positives(0), lm.negatives(0), 1, 1, 0, 1, 1,
                    java.util.List.of());
            Leace e;
            try {
                e = Leace.of(code, LA);
            } catch (IllegalArgumentException same) {
                return; // identical class means: nothing to erase
            }
            double[] mp = new double[d];
            double[] mn = new double[d];
            int np = 0;
            double scale = 1;
            for (int s = 0; s < n; s++) {
                double[] xs = new double[d];
                for (int i = 0; i < d; i++) {
                    xs[i] = x[s][i];
                    scale = Math.max(scale, Math.abs(xs[i]));
                }
                double[] rx = e.erase(xs);
                double[] acc = z[0][s] == 1 ? mp : mn;
                np += z[0][s];
                for (int i = 0; i < d; i++) {
                    acc[i] += rx[i];
                }
            }
            for (int i = 0; i < d; i++) {
                assertEquals(mp[i] / np, mn[i] / (n - np), 1e-6 * scale, "unit " + i);
            }
            // folded into a next layer: its pre-activations' class means are equal too
            int m = 1 + r.nextInt(5);
            double[] w = gaussian(r, m * d);
            double[] folded = e.fold(w, gaussian(r, m), m, d);
            double[] yp = new double[m];
            double[] yn = new double[m];
            for (int s = 0; s < n; s++) {
                double[] acc = z[0][s] == 1 ? yp : yn;
                for (int o = 0; o < m; o++) {
                    double v = folded[m * d + o];
                    for (int i = 0; i < d; i++) {
                        v += folded[o * d + i] * x[s][i];
                    }
                    acc[o] += v;
                }
            }
            for (int o = 0; o < m; o++) {
                assertEquals(yp[o] / np, yn[o] / (n - np), 1e-6 * scale * (1 + norm(w)));
            }
        });
    }

    @Test
    void aucIsThePairwiseShare() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int n = 2 + r.nextInt(60);
            double[] s = new double[n];
            byte[] l = new byte[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(6);
                l[i] = (byte) (i == 0 ? 1 : i == 1 ? 0 : r.nextInt(4) - 1);
            }
            double wins = 0;
            long pairs = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (l[i] == 1 && l[j] == 0) {
                        pairs++;
                        wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                    }
                }
            }
            assertEquals(wins / pairs, ConceptProbe.auc(s, l), 1e-12);
        });
    }

    private static double[] diff(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /** Gauss–Jordan inverse with partial pivoting: the oracle, independent of the Cholesky code. */
    static double[] inverse(double[] a, int n) {
        double[] m = a.clone();
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            inv[i * n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row * n + col]) > Math.abs(m[piv * n + col])) {
                    piv = row;
                }
            }
            for (int k = 0; k < n; k++) {
                double t = m[col * n + k];
                m[col * n + k] = m[piv * n + k];
                m[piv * n + k] = t;
                t = inv[col * n + k];
                inv[col * n + k] = inv[piv * n + k];
                inv[piv * n + k] = t;
            }
            double p = m[col * n + col];
            for (int k = 0; k < n; k++) {
                m[col * n + k] /= p;
                inv[col * n + k] /= p;
            }
            for (int row = 0; row < n; row++) {
                if (row != col) {
                    double f = m[row * n + col];
                    for (int k = 0; k < n; k++) {
                        m[row * n + k] -= f * m[col * n + k];
                        inv[row * n + k] -= f * inv[col * n + k];
                    }
                }
            }
        }
        return inv;
    }
}
