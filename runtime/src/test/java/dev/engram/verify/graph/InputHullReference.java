package dev.engram.verify.graph;

/**
 * {@link InputHull}'s facets and line search as they were before the weighted selection ({@link InputHull#crossing}):
 * the whole order of an element's inputs built (an insertion sort per element, or on a dense map a merge from one
 * order of every input) and walked, and the line search's breaks sorted. The oracle of {@link InputHullFacetProperties}.
 */
final class InputHullReference {
    private InputHullReference() {
    }

    /** Element e's facet for the ordering by oriented position, as the old {@code optimise} chose its order. */
    static double facet(SparseAffine map, int e, double[] p, Range x, double[] w) {
        int fan = map.fanIn;
        int[] byP = map.dense() && fan == p.length && fan > 4 ? byPosition(p) : null;
        int[] order = byP != null ? merged(map, e, p, byP) : sorted(map, e, p);
        double z = map.b == null ? 0 : map.b[e];
        for (int t = 0; t < fan; t++) {
            double wt = map.w[e * fan + t];
            int i = map.idx[e * fan + t];
            z += wt * (wt > 0 ? x.lo()[i] : x.hi()[i]);
            w[t] = 0;
        }
        double prev = Math.max(0, z);
        double c = prev;
        for (int t : order) {
            double wt = map.w[e * fan + t];
            int i = map.idx[e * fan + t];
            double low = wt > 0 ? x.lo()[i] : x.hi()[i];
            double span = (wt > 0 ? x.hi()[i] : x.lo()[i]) - low;
            if (wt == 0 || span == 0) {
                continue;
            }
            z += wt * span;
            double f = Math.max(0, z);
            w[t] = (f - prev) / span;
            c -= w[t] * low;
            prev = f;
        }
        return c;
    }

    private static double key(SparseAffine map, int e, int t, double[] p) {
        double pt = p[map.idx[e * map.fanIn + t]];
        return map.w[e * map.fanIn + t] > 0 ? pt : 1 - pt;
    }

    private static int[] sorted(SparseAffine map, int e, double[] p) {
        int fan = map.fanIn;
        int[] order = new int[fan];
        double[] k = new double[fan];
        for (int t = 0; t < fan; t++) {
            double kt = key(map, e, t, p);
            int j = t;
            while (j > 0 && k[j - 1] < kt) {
                k[j] = k[j - 1];
                order[j] = order[j - 1];
                j--;
            }
            k[j] = kt;
            order[j] = t;
        }
        return order;
    }

    private static int[] merged(SparseAffine map, int e, double[] p, int[] byP) {
        int fan = map.fanIn;
        int[] order = new int[fan];
        int n = 0;
        int front = next(map, e, byP, 0, 1, true);
        int back = next(map, e, byP, fan - 1, -1, false);
        while (front < fan || back >= 0) {
            boolean takeFront = back < 0 || front < fan && p[byP[front]] >= 1 - p[byP[back]];
            if (takeFront) {
                order[n++] = byP[front];
                front = next(map, e, byP, front + 1, 1, true);
            } else {
                order[n++] = byP[back];
                back = next(map, e, byP, back - 1, -1, false);
            }
        }
        return java.util.Arrays.copyOf(order, n);
    }

    private static int next(SparseAffine map, int e, int[] byP, int k, int d, boolean positive) {
        int fan = map.fanIn;
        while (k >= 0 && k < fan && (map.w[e * fan + byP[k]] > 0) != positive) {
            k += d;
        }
        return k;
    }

    private static int[] byPosition(double[] p) {
        Integer[] o = new Integer[p.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        java.util.Arrays.sort(o, (s, t) -> Double.compare(p[t], p[s]));
        int[] out = new int[o.length];
        for (int i = 0; i < o.length; i++) {
            out[i] = o[i];
        }
        return out;
    }

    /** The line search's γ: every break sorted, walked while the slope is positive. */
    static double lineSearch(double[] g, double[] g1, Range x) {
        int n = g.length - 1;
        double slope = g1[n] - g[n];
        double[] at = new double[n];
        double[] jump = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            double d = g1[i] - g[i];
            if (d == 0) {
                continue;
            }
            double lo = x.lo()[i];
            double hi = x.hi()[i];
            boolean up = g[i] > 0 || (g[i] == 0 && d > 0);
            slope += d * (up ? lo : hi);
            double c = -g[i] / d;
            if ((g[i] > 0 && d < 0 || g[i] < 0 && d > 0) && c > 0 && c < 1) {
                at[m] = c;
                jump[m++] = Math.abs(d) * (hi - lo);
            }
        }
        if (slope <= 0) {
            return 0;
        }
        Integer[] order = new Integer[m];
        for (int k = 0; k < m; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(order, (s, t) -> Double.compare(at[s], at[t]));
        for (int k : order) {
            slope -= jump[k];
            if (slope <= 0) {
                return at[k];
            }
        }
        return 1;
    }
}
