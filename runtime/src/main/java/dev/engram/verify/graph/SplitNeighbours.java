package dev.engram.verify.graph;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What a split of an affine operator's element says about the elements that read the same argument elements (its
 * neighbours: on a convolution, the other channels at its position and the overlapping windows), used when a
 * subdomain is made ({@link GraphBounds#withSplit}).
 *
 * <p>The split {@code s(ẑ_j − t) >= 0} (s = +1 active, −1 inactive) of {@code ẑ_j = Σ w_ji y_i + b_j + e_j} as
 * executed ({@code |e_j| <= E_j}, the value's float32 error term, {@code y} the executed argument, inside its range
 * box {@code Y}) is the linear constraint {@code d·y + d0 >= 0} with {@code d = s w_j} and
 * {@code d0 = s(b_j − t) + E_j} on every execution of the subdomain. Two consequences, each a valid enclosure on the
 * subdomain's region:
 * <ul>
 *   <li>the argument's box shrinks: {@code d_i y_i >= −d0 − Σ_{m≠i} max(d_m y_m)} (constraint propagation);</li>
 *   <li>each neighbour {@code ẑ_k} gets, for any {@code β >= 0}, the lower bound
 *   {@code min_{y∈Y} (w_k·y + b_k − β(d·y + d0)) − E_k} (weak duality: the subtracted term is at least 0 where the
 *   split holds), the best of {@code β = 0} and the breakpoints {@code β = w_ki/d_i > 0} of this concave piecewise
 *   linear function; its upper bound the same for {@code −ẑ_k}.</li>
 * </ul>
 * Single-neuron relaxations (the triangle, α-CROWN) cannot see this: on verivital's avgpool net (one ReLU layer after
 * a 2×2 convolution with 32 channels) a split settles several of the 32 elements that read the same four pixels.
 * Each sum is rounded outward by {@code 2^-30} of its terms' magnitudes (as {@link GraphBounds#atInput}). Done only
 * when the neighbours' work is small beside one pass through the operator ({@link #SHARE}).
 */
final class SplitNeighbours {
    /** Off with {@code -Dengram.verify.splitNeighbours=false}. */
    static final boolean ON = !"false".equals(System.getProperty("engram.verify.splitNeighbours"));
    /**
     * The work, neighbours × fan-in² (each neighbour's bound at each breakpoint), at most this fraction of one pass
     * through the operator, out × fan-in.
     */
    private static final double SHARE = 1.0 / 4;
    private static final double ROUND = 0x1p-30;
    private static final Map<SparseAffine, int[][]> READERS = new WeakHashMap<>();

    private SplitNeighbours() {
    }

    /**
     * {@code r} (split {@code s} applied: its element clamped) with the split's argument box and neighbours narrowed;
     * {@code r} itself when the split value is not an affine operator's or the work is too large; null when a range
     * becomes empty (no execution meets the split).
     */
    static GraphBounds.Ranges narrow(GraphBounds g, GraphBounds.Ranges r, GraphBounds.Split s) {
        return narrow(g, r, s, SHARE);
    }

    /** {@link #narrow(GraphBounds, GraphBounds.Ranges, GraphBounds.Split)} with the work's share {@code share}. */
    static GraphBounds.Ranges narrow(GraphBounds g, GraphBounds.Ranges r, GraphBounds.Split s, double share) {
        int k = s.value() - 1;
        if (!ON || k < 0 || !(g.ops().get(k) instanceof AffineOp op)) {
            return r;
        }
        SparseAffine m = op.map;
        int arg = g.dag().nodes().get(k).arg(0);
        Range y = r.values()[arg];
        int[][] readers = readers(m, y.size());
        int j = s.element();
        int[] near = neighbours(m, readers, j, r.values()[s.value()], share);
        if (near == null) {
            return r;
        }
        double[] err = r.errors()[s.value()];
        double sign = s.active() ? 1 : -1;
        double[] d = new double[m.fanIn];
        int[] at = new int[m.fanIn];
        for (int t = 0; t < m.fanIn; t++) {
            at[t] = m.idx[j * m.fanIn + t];
            d[t] = sign * m.w[j * m.fanIn + t];
        }
        double d0 = sign * ((m.b == null ? 0 : m.b[j]) - s.threshold()) + (err == null ? 0 : err[j]);
        Range box = shrink(y, at, d, d0);
        if (box == null) {
            return null;
        }
        Range z = r.values()[s.value()];
        double[] lo = z.lo().clone();
        double[] hi = z.hi().clone();
        int[] pos = new int[box.size()];
        Arrays.fill(pos, -1);
        for (int e : near) {
            double ek = err == null ? 0 : err[e];
            lo[e] = Math.max(lo[e], Math.nextDown(lowest(m, e, 1, box, at, d, d0, pos) - ek));
            hi[e] = Math.min(hi[e], Math.nextUp(-lowest(m, e, -1, box, at, d, d0, pos) + ek));
            if (!(lo[e] <= hi[e])) {
                return null;
            }
        }
        Range[] values = r.values().clone();
        values[arg] = box;
        values[s.value()] = new Range(lo, hi);
        return new GraphBounds.Ranges(values, r.errors(), r.slopes());
    }

    /** Per argument element, the elements of {@code m} reading it with a non-zero weight (cached per map). */
    private static int[][] readers(SparseAffine m, int argSize) {
        synchronized (READERS) {
            int[][] got = READERS.get(m);
            if (got != null) {
                return got;
            }
        }
        int[] count = new int[argSize];
        for (int t = 0; t < m.idx.length; t++) {
            count[m.idx[t]] += m.w[t] != 0 ? 1 : 0;
        }
        int[][] out = new int[argSize][];
        for (int i = 0; i < argSize; i++) {
            out[i] = new int[count[i]];
        }
        Arrays.fill(count, 0);
        for (int t = 0; t < m.idx.length; t++) {
            if (m.w[t] != 0) {
                int i = m.idx[t];
                out[i][count[i]++] = t / m.fanIn;
            }
        }
        synchronized (READERS) {
            READERS.put(m, out);
        }
        return out;
    }

    /** The unstable elements other than j reading what j reads; null when there are too many for {@link #SHARE}. */
    private static int[] neighbours(SparseAffine m, int[][] readers, int j, Range z, double share) {
        int[] seen = new int[16];
        int n = 0;
        for (int t = j * m.fanIn; t < (j + 1) * m.fanIn; t++) {
            if (m.w[t] == 0) {
                continue;
            }
            for (int e : readers[m.idx[t]]) {
                if (e != j && z.lo()[e] < 0 && z.hi()[e] > 0 && indexOf(seen, n, e) < 0) {
                    if ((double) (n + 1) * m.fanIn > share * m.out) {
                        return null;
                    }
                    if (n == seen.length) {
                        seen = Arrays.copyOf(seen, 2 * n);
                    }
                    seen[n++] = e;
                }
            }
        }
        return Arrays.copyOf(seen, n);
    }

    private static int indexOf(int[] a, int n, int e) {
        for (int i = 0; i < n; i++) {
            if (a[i] == e) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The box {@code y} shrunk by {@code Σ d_t y_{at_t} + d0 >= 0}; null when empty. A repeated argument element
     * (weights of one index summed) is handled by treating each term alone: each term's bound still holds.
     */
    static Range shrink(Range y, int[] at, double[] d, double d0) {
        double most = d0; // d0 + Σ max(d_t y)
        double mag = Math.abs(d0);
        for (int t = 0; t < at.length; t++) {
            if (d[t] != 0) {
                most += Math.max(d[t] * y.lo()[at[t]], d[t] * y.hi()[at[t]]);
                mag += Math.abs(d[t]) * y.mag(at[t]);
            }
        }
        if (!Double.isFinite(most) || !Double.isFinite(mag)) {
            return y;
        }
        double slack = ROUND * mag;
        double[] lo = null;
        double[] hi = null;
        for (int t = 0; t < at.length; t++) {
            if (d[t] == 0) {
                continue;
            }
            int i = at[t];
            double own = Math.max(d[t] * y.lo()[i], d[t] * y.hi()[i]);
            // d_t y_i >= need: the others contribute at most most − own
            double need = -(most - own) - slack;
            double bound = need / d[t];
            if (d[t] > 0 && Math.nextDown(bound) > y.lo()[i]) {
                lo = lo == null ? y.lo().clone() : lo;
                lo[i] = Math.max(lo[i], Math.nextDown(bound));
            } else if (d[t] < 0 && Math.nextUp(bound) < y.hi()[i]) {
                hi = hi == null ? y.hi().clone() : hi;
                hi[i] = Math.min(hi[i], Math.nextUp(bound));
            }
        }
        if (lo == null && hi == null) {
            return y;
        }
        Range out = new Range(lo == null ? y.lo() : lo, hi == null ? y.hi() : hi);
        for (int t = 0; t < at.length; t++) {
            if (!(out.lo()[at[t]] <= out.hi()[at[t]])) {
                return null;
            }
        }
        return out;
    }

    /**
     * A lower bound of {@code min sg·(w_e·y + b_e)} over {@code y ∈ box} with {@code d·y + d0 >= 0}: the best of the
     * Lagrangian bounds at {@code β = 0} and at the breakpoints.
     */
    static double lowest(SparseAffine m, int e, int sg, Range box, int[] at, double[] d, double d0, int[] pos) {
        // the union of both windows: coordinate, the neighbour's coefficient, the split's (pos: coordinate -> slot,
        // -1 elsewhere, restored on return)
        int[] u = new int[m.fanIn + at.length];
        double[] cu = new double[u.length];
        double[] du = new double[u.length];
        int n = 0;
        for (int t = 0; t < m.fanIn; t++) {
            double w = m.w[e * m.fanIn + t];
            if (w != 0) {
                int i = m.idx[e * m.fanIn + t];
                if (pos[i] < 0) {
                    pos[i] = n;
                    u[n++] = i;
                }
                cu[pos[i]] += sg * w;
            }
        }
        int own = n;
        for (int t = 0; t < at.length; t++) {
            if (d[t] != 0) {
                if (pos[at[t]] < 0) {
                    pos[at[t]] = n;
                    u[n++] = at[t];
                }
                du[pos[at[t]]] += d[t];
            }
        }
        for (int t = 0; t < n; t++) {
            pos[u[t]] = -1;
        }
        double c0 = sg * (m.b == null ? 0 : m.b[e]);
        double best = lagrangian(box, u, cu, du, n, c0, d0, 0);
        for (int i = 0; i < own; i++) {
            double beta = cu[i] / du[i];
            if (du[i] != 0 && beta > 0 && Double.isFinite(beta)) {
                best = Math.max(best, lagrangian(box, u, cu, du, n, c0, d0, beta));
            }
        }
        return best;
    }

    /** {@code min_{y∈box} ((c − βd)·y + c0 − β d0)}, rounded down by its terms' rounding. */
    private static double lagrangian(Range box, int[] u, double[] c, double[] d, int n, double c0, double d0,
                                     double beta) {
        double sum = c0 - beta * d0;
        double mag = Math.abs(c0) + beta * Math.abs(d0);
        for (int t = 0; t < n; t++) {
            double q = c[t] - beta * d[t];
            sum += Math.min(q * box.lo()[u[t]], q * box.hi()[u[t]]);
            mag += (Math.abs(c[t]) + beta * Math.abs(d[t])) * box.mag(u[t]);
        }
        double out = Math.nextDown(sum - ROUND * mag);
        return Double.isNaN(out) ? Double.NEGATIVE_INFINITY : out;
    }
}
