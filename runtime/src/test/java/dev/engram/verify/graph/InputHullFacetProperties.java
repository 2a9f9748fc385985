package dev.engram.verify.graph;

import dev.engram.verify.PropertyRuns;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link InputHull#facet} and {@link InputHull#lineSearch} (a weighted selection) against their former versions
 * ({@link InputHullReference}: the whole order built and walked) as the independent oracle:
 *
 * <ul>
 *   <li>every facet's coefficients and constant the same up to {@code 1e-12} of the element's magnitude
 *       {@code |b| + Σ|w_t| max|x_i|} (a coefficient's difference times its input's span), on conv-like sparse maps
 *       and dense ones (the merged order beyond 4 inputs), random boxes with some zero spans, weights with some
 *       zeros, positions with ties, saturated 0 and 1 and ½, and biases putting {@code z}'s least value above 0, below
 *       minus its whole rise (no crossing) or between;
 *   <li>every line search's γ exactly the same, breaks with ties included.
 * </ul>
 * Each element's facet is taken for three positions in turn, with the crossing of one the first guess of the next.
 * Counts of each kind of case (crossings inside a tie of positions, γ at a tie of breaks among them) must be at
 * least 20.
 */
class InputHullFacetProperties {

    @Test
    void facetsAndLineSearchesAreTheFormerOnes() {
        int[] t = PropertyRuns.totals(300, InputHullFacetProperties::check);
        System.out.printf("[input hull facets] %d crossings (%d in a tie), %d whole or nothing, %d nothing; "
                + "%d line searches stopping inside (%d at a tie of breaks); %d crossings as the step before%n",
                t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
        for (int k = 0; k < t.length; k++) {
            assertTrue(t[k] >= 20, "too few cases of kind " + k);
        }
    }

    /**
     * One case: {crossings, in a tie, whole or nothing (some whole), nothing, line searches inside, at ½, crossings
     * at the input of the step before}.
     */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        boolean dense = r.nextBoolean();
        int fan = 1 + r.nextInt(dense ? 120 : 60);
        int n = dense ? fan : fan + r.nextInt(3 * fan + 1);
        int out = 1 + r.nextInt(8);
        int[] idx = new int[out * fan];
        double[] w = new double[out * fan];
        int[] inputs = new int[n];
        for (int i = 0; i < n; i++) {
            inputs[i] = i;
        }
        for (int e = 0; e < out; e++) {
            for (int t = 0; t < fan; t++) { // distinct inputs per element (a partial shuffle), in order if dense
                int j = dense ? t : t + r.nextInt(n - t);
                int s = inputs[j];
                inputs[j] = inputs[t];
                inputs[t] = s;
                idx[e * fan + t] = s;
                w[e * fan + t] = r.nextInt(10) == 0 ? 0 : r.nextGaussian();
            }
        }
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            lo[i] = r.nextGaussian();
            hi[i] = r.nextInt(10) == 0 ? lo[i] : lo[i] + Math.abs(r.nextGaussian());
        }
        Range x = new Range(lo, hi);
        double[] b = new double[out];
        for (int e = 0; e < out; e++) { // z's least value: above 0, below minus the whole rise, or between
            double least = 0;
            double rise = 0;
            for (int t = 0; t < fan; t++) {
                double wt = w[e * fan + t];
                int i = idx[e * fan + t];
                least += wt * (wt > 0 ? lo[i] : hi[i]);
                rise += Math.abs(wt) * (hi[i] - lo[i]);
            }
            int kind = r.nextInt(5);
            double frac = kind == 0 ? -0.2 : kind == 1 ? 1.3 : r.nextDouble();
            b[e] = -frac * rise - least;
        }
        SparseAffine map = new SparseAffine(out, fan, idx, w, b, fan);
        InputHull hull = new InputHull(map);
        InputHull.Scratch s = new InputHull.Scratch(n, out);
        int[] counts = new int[7];
        double[] p = new double[n];
        for (int step = 0; step < 3; step++) { // the same scratch: each facet's crossing the guess of the next
            for (int i = 0; i < n; i++) {
                if (step > 0 && r.nextInt(8) > 0) {
                    continue; // a few positions moved: the crossing of the step before is often the crossing again
                }
                int kind = r.nextInt(6);
                p[i] = kind == 0 ? 0 : kind == 1 ? 1 : kind == 2 ? 0.5 : kind == 3 ? r.nextInt(5) / 4.0
                        : r.nextDouble();
            }
            for (int e = 0; e < out; e++) {
                double[] got = new double[fan];
                double[] want = new double[fan];
                int before = s.crossed()[e];
                double c = hull.facet(e, e, p, x, got, s);
                counts[6] += step > 0 && before >= 0 && s.crossed()[e] == before ? 1 : 0;
                double cRef = InputHullReference.facet(map, e, p, x, want);
                compare(map, e, p, x, got, want, c, cRef, seed, counts);
            }
        }
        for (int k = 0; k < 3; k++) {
            double gamma = lineSearch(r, x, s, seed);
            counts[4] += gamma > 0 && gamma < 1 ? 1 : 0;
            counts[5] += gamma == 0.5 ? 1 : 0;
        }
        return counts;
    }

    /** One facet compared; its kind counted. */
    private static void compare(SparseAffine map, int e, double[] p, Range x, double[] got, double[] want, double c,
                                double cRef, long seed, int[] counts) {
        int fan = map.fanIn;
        double mag = Math.abs(map.b[e]);
        for (int t = 0; t < fan; t++) {
            mag += Math.abs(map.w[e * fan + t]) * x.mag(map.idx[e * fan + t]);
        }
        double tol = 1e-12 * mag;
        int zeros = 0;
        int crossing = -1;
        for (int t = 0; t < fan; t++) {
            int i = map.idx[e * fan + t];
            double span = x.hi()[i] - x.lo()[i];
            double wt = map.w[e * fan + t];
            if (!(Math.abs(got[t] - want[t]) * span <= tol) || span == 0 && got[t] != want[t]) {
                fail("seed " + seed + ", element " + e + ", input " + t + ": " + got[t] + ", formerly " + want[t]);
            }
            if (wt == 0 || span == 0 || Math.abs(want[t]) * span <= tol) {
                zeros++;
            } else if (Math.abs(want[t] - wt) * span > tol) {
                crossing = t;
            }
        }
        if (!(Math.abs(c - cRef) <= tol)) {
            fail("seed " + seed + ", element " + e + ": constant " + c + ", formerly " + cRef);
        }
        if (crossing >= 0) {
            counts[0]++;
            counts[1] += tied(map, e, p, x, crossing) ? 1 : 0;
        } else if (zeros == fan) {
            counts[3]++;
        } else {
            counts[2]++;
        }
    }

    /** Whether another moving input of element e has the crossing input's oriented position. */
    private static boolean tied(SparseAffine map, int e, double[] p, Range x, int crossing) {
        int fan = map.fanIn;
        double key = key(map, e, p, crossing);
        for (int t = 0; t < fan; t++) {
            int i = map.idx[e * fan + t];
            if (t != crossing && map.w[e * fan + t] != 0 && x.hi()[i] > x.lo()[i] && key(map, e, p, t) == key) {
                return true;
            }
        }
        return false;
    }

    private static double key(SparseAffine map, int e, double[] p, int t) {
        double pt = p[map.idx[e * map.fanIn + t]];
        return map.w[e * map.fanIn + t] > 0 ? pt : 1 - pt;
    }

    /** One line search of random coefficients over x (some unchanged, some breaking at ½ together): its γ. */
    private static double lineSearch(Random r, Range x, InputHull.Scratch s, long seed) {
        int n = x.size();
        double[] g = new double[n + 1];
        double[] g1 = new double[n + 1];
        for (int i = 0; i < n; i++) {
            g[i] = r.nextGaussian();
            int kind = r.nextInt(5);
            g1[i] = kind == 0 ? g[i] : kind == 1 ? -g[i] : r.nextGaussian(); // -g: the break at ½ exactly
        }
        g[n] = r.nextGaussian() * n;
        g1[n] = r.nextGaussian() * n;
        double got = InputHull.lineSearch(g, g1, x, s);
        double want = InputHullReference.lineSearch(g, g1, x);
        if (got != want) {
            fail("seed " + seed + ": γ = " + got + ", formerly " + want);
        }
        return got;
    }
}
