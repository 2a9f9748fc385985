package dev.engram.verify.graph;

/**
 * The upper relaxation of a ReLU of an affine map of the input box, in the input space: per unstable element
 * {@code h = relu(z)}, {@code z = w·x + b}, where its coefficient is negative, an affine function {@code F(x) >= h}
 * over the box instead of the triangle's chord in {@code z}. The triangle sees only {@code z}'s range; the tightest
 * such {@code F} are the facets of the concave envelope of {@code relu(w·x + b)} over the box (the per-neuron convex
 * hull of Anderson et al., "Strong mixed-integer programming formulations for trained neural networks", Math.
 * Programming 2020), which is tighter wherever several inputs move {@code z}.
 *
 * <p>The facets: with each input oriented so that {@code z} grows with it ({@code t_i ∈ [0, 1]} from the end where
 * {@code w_i x_i} is least), {@code f(S) = relu(z_min + Σ_{i∈S} |w_i|(u_i − l_i))} is supermodular, so its concave
 * envelope over the cube is its Lovász extension, the minimum over orderings π of the inputs of the affine functions
 * {@code f(∅) + Σ_k t_π(k) (f(S_k) − f(S_{k−1}))}; each is exact at its chain's vertices. Which facet (and which mix
 * of facets) gives the best bound depends on the rest of the pass: the coefficients of the pass at the input are
 * known here but for the other readers of the input (a chain has none), so the element's functions are chosen by a
 * few Frank–Wolfe steps on the bound over the box: the facet of the ordering by a smoothed minimising point, mixed in
 * with the exact line search over the bound's concave piecewise-linear profile (the dual view: De Palma et al.,
 * "Scaling the convex barrier with sparse dual algorithms", JMLR 2024).
 *
 * <p>Soundness does not rest on that theory: every function used is certified on the box before it is used.
 * {@code F >= relu(ẑ)} for the executed {@code ẑ = z + e}, {@code |e| <= err}, holds iff {@code F >= 0} and
 * {@code F >= z + err} everywhere on the box; both minima over the box are computed rounded down (the {@code 2^-30}
 * magnitude rule of {@link GraphBounds}) and the constant is raised by any shortfall, rounded up. The element's
 * argument then gets no coefficient (its float32 error is inside {@code err}); the terms carried to the input pay
 * {@link Float32#DOUBLE_SLACK} of their magnitude for their own rounding, as an operator's error term does.
 */
final class InputHull {
    /** Frank–Wolfe steps per row (0: the triangle, as without this class). */
    static final int STEPS = Integer.getInteger("engram.verify.inputHull", 20);
    /**
     * Passes with more rows keep the triangle: the objective's and the intermediate bounds' passes (chunks of 128
     * rows) use it; larger batches would pay the steps per row.
     */
    static final int MAX_ROWS = Integer.getInteger("engram.verify.inputHullRows", 128);
    /** Frank–Wolfe steps per row from a previous pass's functions ({@link Backward#warmHull}). */
    static final int WARM_STEPS = Integer.getInteger("engram.verify.inputHullWarm", 5);
    /** The smoothing of the minimising point: inputs whose coefficient is this many mean magnitudes from 0 saturate. */
    private static final double SHARPNESS = 4;

    private final SparseAffine map;

    InputHull(SparseAffine map) {
        this.map = map;
    }

    /**
     * The ReLU's backward pass (coefficients {@code a} of its result, {@code z} its argument's value, each row on its
     * ranges {@link Backward#ranges}) with the negative-coefficient unstable elements relaxed over the input box:
     * their terms go straight to the input's coefficients {@code in}; the other elements' to {@code argZ} as
     * {@link ReluBound#backward} puts them.
     */
    void backward(ReluBound relu, double[][] a, GraphBounds.Ranges ranges, int z, double[][] argZ, double[][] in,
                  Backward pass) {
        int rows = a.length;
        double[][] rest = new double[rows][];
        int[][] hull = new int[rows][];
        for (int r = 0; r < rows; r++) {
            Range zr = pass.ranges(r, ranges).values()[z];
            rest[r] = a[r].clone();
            int[] el = new int[a[r].length];
            int n = 0;
            for (int i = 0; i < el.length; i++) {
                double l = zr.lo()[i];
                double u = zr.hi()[i];
                if (a[r][i] < 0 && l < 0 && u > 0 && Double.isFinite(l) && Double.isFinite(u)) {
                    el[n++] = i;
                    rest[r][i] = 0;
                }
            }
            hull[r] = java.util.Arrays.copyOf(el, n);
        }
        relu.backward(rest, new Range[] {ranges.values()[z]}, new double[][][] {argZ}, pass);
        for (int r = 0; r < rows; r++) {
            if (hull[r].length > 0) {
                GraphBounds.Ranges own = pass.ranges(r, ranges);
                row(r, a[r], hull[r], own.values()[z], own.values()[0], own.errors()[z], argZ[r], in[r], pass);
            }
        }
    }

    /** One row: the functions of its hull elements, optimised and certified, added to the input's coefficients. */
    private void row(int r, double[] a, int[] el, Range zr, Range x, double[] errZ, double[] argZ, double[] in,
                     Backward pass) {
        int fan = map.fanIn;
        int n = el.length;
        double[][] fw = new double[n][fan];
        double[] fc = new double[n];
        for (int k = 0; k < n; k++) {
            int e = el[k];
            double l = zr.lo()[e];
            double u = zr.hi()[e];
            double s = u / (u - l);
            for (int t = 0; t < fan; t++) {
                fw[k][t] = s * map.w[e * fan + t];
            }
            fc[k] = s * (bias(e) - l);
            pass.unstable(r, e, a[e]);
        }
        boolean warm = warmStart(pass, r, el, fw, fc);
        double[] base = in.clone(); // the input's coefficients but for the hull elements: others', and argZ's via w
        map.backward(new double[][] {argZ}, base, 0, new Backward(1));
        optimise(a, el, fw, fc, base, x, warm ? WARM_STEPS : STEPS);
        double carried = 0; // the magnitude of the terms carried to the input: their rounding, as an error term
        for (int k = 0; k < n; k++) {
            int e = el[k];
            fc[k] = certified(e, fw[k], fc[k], x, errZ == null ? 0 : errZ[e]);
            for (int t = 0; t < fan; t++) {
                int i = map.idx[e * fan + t];
                in[i] += a[e] * fw[k][t];
                carried += Math.abs(a[e] * fw[k][t]) * x.mag(i);
            }
            pass.add(r, a[e] * fc[k]);
        }
        pass.add(r, -Float32.DOUBLE_SLACK * carried);
        if (pass.unstable != null) {
            if (pass.hull == null) {
                pass.hull = new Chosen[pass.unstable.length][];
            }
            if (pass.hull[pass.node] == null) {
                pass.hull[pass.node] = new Chosen[pass.rows()];
            }
            pass.hull[pass.node][r] = new Chosen(map, el, fw, fc);
        }
    }

    /**
     * Row r's functions of the elements {@code el} that a previous pass chose too ({@link Backward#warmHull}) in place
     * of their chords; whether there were any. They are valid upper bounds (certified on a box that holds this one),
     * and are certified again with the rest.
     */
    private static boolean warmStart(Backward pass, int r, int[] el, double[][] fw, double[] fc) {
        Chosen w = pass.warmHull == null || pass.warmHull[pass.node] == null ? null : pass.warmHull[pass.node][r];
        boolean any = false;
        for (int k = 0; w != null && k < el.length; k++) {
            int j = java.util.Arrays.binarySearch(w.el(), el[k]);
            if (j >= 0) {
                System.arraycopy(w.fw()[j], 0, fw[k], 0, fw[k].length);
                fc[k] = w.fc()[j];
                any = true;
            }
        }
        return any;
    }

    /** The functions a row's pass used for its hull elements {@code el} (for the relaxed points of its gradients). */
    record Chosen(SparseAffine map, int[] el, double[][] fw, double[] fc) {
        /** Overwrites the hull elements of {@code h} (the relaxed ReLU result at input x) with their functions at x. */
        void apply(double[] x, double[] h) {
            int fan = map.fanIn;
            for (int k = 0; k < el.length; k++) {
                double v = fc[k];
                for (int t = 0; t < fan; t++) {
                    v += fw[k][t] * x[map.idx[el[k] * fan + t]];
                }
                h[el[k]] = v;
            }
        }
    }

    private double bias(int e) {
        return map.b == null ? 0 : map.b[e];
    }

    /** {@code steps} Frank–Wolfe steps on the functions {@code fw, fc} of elements {@code el} (changed in place). */
    private void optimise(double[] a, int[] el, double[][] fw, double[] fc, double[] base, Range x, int steps) {
        int fan = map.fanIn;
        double[] g = total(a, el, fw, fc, base, new double[base.length + 1]);
        double[] g1 = new double[g.length];
        double[][] aw = new double[el.length][fan];
        double[] ac = new double[el.length];
        double[] p = new double[g.length - 1];
        Scratch s = new Scratch(Math.max(fan, p.length), el.length);
        for (int step = 0; step < steps; step++) {
            point(g, x, p);
            for (int k = 0; k < el.length; k++) {
                ac[k] = facet(k, el[k], p, x, aw[k], s);
            }
            total(a, el, aw, ac, base, g1);
            double gamma = lineSearch(g, g1, x, s);
            if (!(gamma > 0)) {
                return;
            }
            for (int k = 0; k < el.length; k++) {
                for (int t = 0; t < fan; t++) {
                    fw[k][t] += gamma * (aw[k][t] - fw[k][t]);
                }
                fc[k] += gamma * (ac[k] - fc[k]);
            }
            for (int i = 0; i < g.length; i++) {
                g[i] += gamma * (g1[i] - g[i]);
            }
        }
    }

    /** The input's coefficients with these functions, and their constant last, into {@code g} (returned). */
    private double[] total(double[] a, int[] el, double[][] fw, double[] fc, double[] base, double[] g) {
        int fan = map.fanIn;
        System.arraycopy(base, 0, g, 0, base.length);
        g[base.length] = 0;
        for (int k = 0; k < el.length; k++) {
            int e = el[k];
            for (int t = 0; t < fan; t++) {
                g[map.idx[e * fan + t]] += a[e] * fw[k][t];
            }
            g[base.length] += a[e] * fc[k];
        }
        return g;
    }

    /**
     * A smoothed minimiser of {@code g·x} over the box as positions {@code p_i ∈ [0, 1]} from each input's lower end:
     * 0 or 1 where the coefficient is large, ½ where it is 0 (the facets' ordering breaks ties by it).
     */
    private static void point(double[] g, Range x, double[] p) {
        double mean = 0;
        for (int i = 0; i < p.length; i++) {
            mean += Math.abs(g[i]) * (x.hi()[i] - x.lo()[i]);
        }
        mean /= p.length;
        double k = mean > 0 ? SHARPNESS / mean : 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.5 - 0.5 * Math.tanh(k * g[i] * (x.hi()[i] - x.lo()[i]));
        }
    }

    /**
     * Element e's facet of the concave envelope for the ordering of its inputs by oriented position (largest first):
     * coefficients to {@code w}, the constant returned. Along the ordering the chain's value {@code max(0, z)} stays 0
     * until z crosses 0 and is z after, so the inputs before the crossing get 0, the one at it the part of its span
     * above 0, the ones after their own weight: only the crossing is looked for ({@link #crossing}), not the order.
     * Ties of position go by fan-in place; on a dense map of more than 4 inputs, those with a positive weight first,
     * the others by descending place (the order the facets have always had there, from one order of the inputs).
     * {@code k}: the element's place among the row's hull elements ({@link Scratch#crossed}).
     */
    double facet(int k, int e, double[] p, Range x, double[] w, Scratch s) {
        int fan = map.fanIn;
        int reversed = map.dense() && fan == p.length && fan > 4 ? 1 : 0;
        double z = bias(e);
        int m = 0;
        int last = -1; // the place of the input that was the crossing last time: the first guess
        for (int t = 0; t < fan; t++) { // branch-free: the weights' signs are a coin toss
            double wt = map.w[e * fan + t];
            int i = map.idx[e * fan + t];
            int negative = (int) (Double.doubleToRawLongBits(wt) >>> 63);
            double weight = Math.abs(wt) * (x.hi()[i] - x.lo()[i]); // wt × the span oriented as z grows
            z += Math.min(wt * x.lo()[i], wt * x.hi()[i]);
            w[t] = 0;
            s.items[m] = t;
            s.key[t] = Math.abs(negative - p[i]); // p, or 1 − p where the weight is negative
            s.rank[t] = t + (negative & reversed) * (2 * fan - 1 - 2 * t);
            s.weight[t] = weight;
            last = t == s.crossed[k] ? m : last;
            m += weight != 0 ? 1 : 0;
        }
        int c = z < 0 ? crossing(s, m, Math.nextUp(-z), last) : -1; // z >= 0: every input is after the crossing
        s.crossed[k] = c >= 0 && c < m ? s.items[c] : -1;
        double constant = Math.max(0, z);
        if (c >= 0 && c < m) {
            double at = z;
            for (int j = 0; j < c; j++) {
                at += s.weight[s.items[j]];
            }
            int t = s.items[c];
            int i = map.idx[e * fan + t];
            w[t] = map.w[e * fan + t] * (Math.max(0, at + s.weight[t]) / s.weight[t]); // the part above 0
            constant -= Math.min(w[t] * x.lo()[i], w[t] * x.hi()[i]);
        }
        for (int j = c + 1; j < m; j++) {
            int t = s.items[j];
            int i = map.idx[e * fan + t];
            w[t] = map.w[e * fan + t];
            constant -= Math.min(w[t] * x.lo()[i], w[t] * x.hi()[i]);
        }
        return constant;
    }

    /**
     * The γ in [0, 1] maximising {@code min over the box of ((1 − γ) g + γ g1)·x + constant} (constants last): the
     * profile is concave and piecewise linear with a break where a coefficient changes sign; the first break (in
     * ascending γ) where the slope drops to 0 or below ({@link #crossing}), 1 if none.
     */
    static double lineSearch(double[] g, double[] g1, Range x, Scratch s) {
        int n = g.length - 1;
        double slope = g1[n] - g[n];
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
            double c = -g[i] / d; // where the coefficient crosses 0
            if ((g[i] > 0 && d < 0 || g[i] < 0 && d > 0) && c > 0 && c < 1) {
                s.items[m] = m;
                s.key[m] = -c; // the first break first
                s.rank[m] = m;
                s.weight[m++] = Math.abs(d) * (hi - lo); // the slope drops by this at the break
            }
        }
        if (slope <= 0) {
            return 0;
        }
        int c = crossing(s, m, slope, -1);
        return c < m ? -s.key[s.items[c]] : 1;
    }

    /**
     * A weighted selection: permutes {@code s.items[0, n)} so that those before place c (returned) come before
     * {@code s.items[c]} in the order of descending key, then ascending rank, and {@code s.items[c]} is the first in
     * that order whose weight, with those before it, reaches {@code target}; n if the total does not. Quickselect:
     * expected time linear in n (the order is never built); the first pivot the item at place {@code guess} if it is
     * not -1 (the crossing of a Frank–Wolfe step is mostly the one of the step before: then one pass finds it).
     */
    static int crossing(Scratch s, int n, double target, int guess) {
        int lo = 0;
        int hi = n; // the crossing is in [lo, hi], or n; items before lo are before it, from hi on after it
        double before = 0; // the weight of items[0, lo)
        while (lo < hi) {
            int mid = guess >= 0 ? guess : (lo + hi) >>> 1;
            guess = -1;
            int pivot = s.items[mid];
            s.items[mid] = s.items[hi - 1];
            double kp = s.key[pivot];
            int rp = s.rank[pivot];
            int m = lo;
            for (int j = lo; j < hi - 1; j++) { // branch-free: swapped whether or not it goes first
                int t = s.items[j];
                s.items[j] = s.items[m];
                s.items[m] = t;
                m += s.key[t] > kp | s.key[t] == kp & s.rank[t] < rp ? 1 : 0;
            }
            double sum = 0; // apart: summed in the loop, a conditional sum would branch
            for (int j = lo; j < m; j++) {
                sum += s.weight[s.items[j]];
            }
            s.items[hi - 1] = s.items[m];
            s.items[m] = pivot;
            if (before + sum >= target) {
                hi = m;
            } else if (before + sum + s.weight[pivot] >= target) {
                return m;
            } else {
                before += sum + s.weight[pivot];
                lo = m + 1;
            }
        }
        return lo; // the rounding of the parts' sums missed target: the last pivot that reached it
    }

    /**
     * Scratch arrays of {@link #facet} and {@link #lineSearch} (n entries), and per hull element the input that was its
     * facet's crossing (-1: none): one per row, since the class is shared.
     */
    record Scratch(int[] items, double[] key, int[] rank, double[] weight, int[] crossed) {
        Scratch(int n, int elements) {
            this(new int[n], new double[n], new int[n], new double[n], new int[elements]);
            java.util.Arrays.fill(crossed, -1);
        }
    }

    /**
     * The constant that makes {@code F = fw·x + fc} a valid upper bound of element e as executed over the box:
     * {@code fc} raised by the shortfall of {@code min F} below 0 or of {@code min (F − z)} below {@code err},
     * both minima rounded down, the raise rounded up.
     */
    double certified(int e, double[] fw, double fc, Range x, double err) {
        int fan = map.fanIn;
        double s0 = fc;
        double m0 = Math.abs(fc);
        double s1 = fc - bias(e);
        double m1 = Math.abs(fc) + Math.abs(bias(e));
        for (int t = 0; t < fan; t++) {
            int i = map.idx[e * fan + t];
            double f = fw[t];
            double d = f - map.w[e * fan + t];
            double v0 = f * (f > 0 ? x.lo()[i] : x.hi()[i]);
            double v1 = d * (d > 0 ? x.lo()[i] : x.hi()[i]);
            s0 += v0;
            s1 += v1;
            m0 += Math.abs(v0);
            m1 += (Math.abs(f) + Math.abs(map.w[e * fan + t])) * x.mag(i);
        }
        double low0 = Math.nextDown(s0 - 0x1p-30 * m0);
        double low1 = Math.nextDown(s1 - err - 0x1p-30 * (m1 + err));
        double shortfall = -Math.min(low0, low1);
        if (Double.isNaN(shortfall) || Double.isInfinite(shortfall)) {
            return Double.POSITIVE_INFINITY;
        }
        return shortfall > 0 ? Math.nextUp(fc + shortfall) : fc;
    }
}
