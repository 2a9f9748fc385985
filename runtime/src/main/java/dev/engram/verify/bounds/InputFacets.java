package dev.engram.verify.bounds;

import java.util.Arrays;

/**
 * The upper relaxation of the first layer's ReLUs in the input space, for a backward pass: per unstable unit
 * {@code h = relu(z)}, {@code z = w·x + b}, whose coefficient is negative, an affine function {@code F(x) >= h} over the
 * input box instead of the triangle's chord in {@code z} (the dense path's counterpart of the graph verifier's
 * {@code InputHull}, whose few lines of facet, line search and certificate are copied here; see its comment and
 * docs/verifier.md). The tightest such {@code F} are the facets of the concave envelope of {@code relu(w·x + b)} over
 * the box: with each input oriented so that {@code z} grows with it, the Lovász extension of the supermodular
 * {@code f(S) = relu(z_min + Σ_{i∈S} |w_i|(u_i − l_i))}, one facet per ordering of the inputs (the marginal gains
 * along its chain). The unit's functions are mixed by a few Frank–Wolfe steps on the pass's bound over the box (the
 * facet of the ordering by a smoothed minimising point, an exact line search on the concave piecewise-linear
 * profile).
 *
 * <p>Soundness rests on a certificate, not on that theory: {@code F >= relu(ẑ)} for the executed {@code ẑ = z + e},
 * {@code |e| <= ε}, holds iff {@code F >= 0} and {@code F >= z + ε} on the box; both minima are computed rounded down
 * (by {@code 2^-30} of their magnitudes, far above the double rounding of five terms) and the constant is raised by
 * any shortfall, rounded up. {@code ε} is the unit's {@link LinearBounds#topSlack} (its float32 error and more). The
 * unit's pre-activation then gets no coefficient; the terms carried to the inputs are added to the coefficients the
 * rest of the pass computed, and {@link #error} bounds the rounding of those additions.
 */
final class InputFacets {
    /** In the passes for objectives ({@link LinearBounds#objective}): on unless false. */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("engram.verify.denseHull", "true"));
    /** Frank–Wolfe steps per pass (0: the facets are never mixed in, only the triangle, certified). */
    static final int STEPS = Integer.getInteger("engram.verify.denseHullSteps", 20);
    /** Also in the passes that tighten the unstable neurons ({@link BackwardPass#units}): on unless false. */
    static final boolean UNITS = Boolean.parseBoolean(System.getProperty("engram.verify.denseHullUnits", "false"));
    /** The smoothing of the minimising point: inputs whose coefficient is this many mean magnitudes from 0 saturate. */
    private static final double SHARPNESS = 4;

    private final LinearBounds r;
    private final double[] w;
    private final double[] b;
    private final int in;

    InputFacets(LinearBounds r) {
        this.r = r;
        this.w = r.net.w[0];
        this.b = r.net.b[0];
        this.in = r.net.sizes[0];
    }

    /** True when the first layer is a ReLU (a leaky one has another envelope). */
    static boolean reluFirst(LinearBounds r) {
        return r.net.act[0] instanceof ActivationRelaxation.LeakyRelu lr && lr.minLowerSlope() == 0;
    }

    /** The first layer's units unstable with a finite range and a negative coefficient in {@code a}. */
    static int[] units(LinearBounds r, double[] a) {
        int[] el = new int[a.length];
        int n = 0;
        for (int o = 0; o < a.length; o++) {
            double l = r.lo[0][o];
            double u = r.hi[0][o];
            if (a[o] < 0 && l < 0 && u > 0 && Double.isFinite(l) && Double.isFinite(u)) {
                el[n++] = o;
            }
        }
        return Arrays.copyOf(el, n);
    }

    /** What {@link #apply} adds to a pass: one constant per unit and the bound of its own rounding. */
    record Added(double[] constants, double error) {
    }

    /**
     * The functions of units {@code el} (coefficients {@code a} of the first layer's outputs), optimised against
     * {@code coef} (the input coefficients of the rest of the pass) and certified: {@code a_o F_o}'s coefficients
     * added to {@code coef}, its constants returned (one per unit) with the rounding of those additions times the
     * inputs' magnitudes: each coefficient is then a sum of {@code n + 1} computed terms (the pass's own and the n
     * products), off by at most {@code γ_{n+2}} times their magnitudes (the products' rounding included).
     */
    Added apply(double[] a, int[] el, double[] coef) {
        int n = el.length;
        double[][] fw = new double[n][in];
        double[] fc = new double[n];
        for (int k = 0; k < n; k++) {
            int o = el[k];
            double l = r.lo[0][o];
            double u = r.hi[0][o];
            double s = u / (u - l);
            for (int t = 0; t < in; t++) {
                fw[k][t] = s * w[o * in + t];
            }
            fc[k] = s * (b[o] - l);
        }
        optimise(a, el, fw, fc, coef);
        double[] cst = new double[n];
        double[] size = new double[in];
        for (int t = 0; t < in; t++) {
            size[t] = Math.abs(coef[t]);
        }
        for (int k = 0; k < n; k++) {
            int o = el[k];
            fc[k] = certified(o, fw[k], fc[k], r.topSlack[0][o]);
            for (int t = 0; t < in; t++) {
                double v = a[o] * fw[k][t];
                coef[t] += v;
                size[t] += Math.abs(v);
            }
            cst[k] = a[o] * fc[k];
        }
        double err = 0;
        for (int t = 0; t < in; t++) {
            err += size[t] * r.xmag[t];
        }
        return new Added(cst, Rounding.up(Rounding.gamma(n + 2) * err, in + n + 2));
    }

    /** Frank–Wolfe steps on the functions {@code fw, fc} of units {@code el} (changed in place). */
    static final java.util.concurrent.atomic.DoubleAdder GAIN = new java.util.concurrent.atomic.DoubleAdder();
    static final java.util.concurrent.atomic.LongAdder CALLS = new java.util.concurrent.atomic.LongAdder();
    static final java.util.concurrent.atomic.LongAdder ELS = new java.util.concurrent.atomic.LongAdder();
    static {
        if (Boolean.getBoolean("engram.verify.hullStats")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.printf("[hull] calls %d els %d gain %g%n",
                    CALLS.sum(), ELS.sum(), GAIN.sum())));
        }
    }

    private double boxMin(double[] g) {
        double v = g[in];
        for (int i = 0; i < in; i++) {
            v += g[i] > 0 ? g[i] * r.xlo[i] : g[i] * r.xhi[i];
        }
        return v;
    }

    private void optimise(double[] a, int[] el, double[][] fw, double[] fc, double[] base) {
        double[] g = total(a, el, fw, fc, base);
        double v0 = boxMin(g);
        CALLS.increment();
        ELS.add(el.length);
        try {
            optimise0(a, el, fw, fc, base, g);
        } finally {
            GAIN.add(boxMin(g) - v0);
        }
    }

    private void optimise0(double[] a, int[] el, double[][] fw, double[] fc, double[] base, double[] g) {
        double[][] aw = new double[el.length][in];
        double[] ac = new double[el.length];
        double[] p = new double[in];
        for (int step = 0; step < STEPS; step++) {
            point(g, p);
            for (int k = 0; k < el.length; k++) {
                ac[k] = facet(el[k], p, aw[k]);
            }
            double[] g1 = total(a, el, aw, ac, base);
            double gamma = lineSearch(g, g1, r.xlo, r.xhi);
            if (!(gamma > 0)) {
                return;
            }
            for (int k = 0; k < el.length; k++) {
                for (int t = 0; t < in; t++) {
                    fw[k][t] += gamma * (aw[k][t] - fw[k][t]);
                }
                fc[k] += gamma * (ac[k] - fc[k]);
            }
            for (int i = 0; i < g.length; i++) {
                g[i] += gamma * (g1[i] - g[i]);
            }
        }
    }

    /** The input's coefficients with these functions, and their constant last. */
    private double[] total(double[] a, int[] el, double[][] fw, double[] fc, double[] base) {
        double[] g = Arrays.copyOf(base, in + 1);
        for (int k = 0; k < el.length; k++) {
            int o = el[k];
            for (int t = 0; t < in; t++) {
                g[t] += a[o] * fw[k][t];
            }
            g[in] += a[o] * fc[k];
        }
        return g;
    }

    /**
     * A smoothed minimiser of {@code g·x} over the box as positions {@code p_i ∈ [0, 1]} from each input's lower end:
     * 0 or 1 where the coefficient is large, ½ where it is 0.
     */
    private void point(double[] g, double[] p) {
        double mean = 0;
        for (int i = 0; i < in; i++) {
            mean += Math.abs(g[i]) * (r.xhi[i] - r.xlo[i]);
        }
        mean /= in;
        double k = mean > 0 ? SHARPNESS / mean : 0;
        for (int i = 0; i < in; i++) {
            p[i] = 0.5 - 0.5 * Math.tanh(k * g[i] * (r.xhi[i] - r.xlo[i]));
        }
    }

    /**
     * Unit o's facet of the concave envelope for the ordering of its inputs by oriented position (largest first):
     * coefficients to {@code fw}, the constant returned.
     */
    private double facet(int o, double[] p, double[] fw) {
        int[] order = sorted(o, p);
        double z = b[o];
        for (int t = 0; t < in; t++) {
            double wt = w[o * in + t];
            z += wt * (wt > 0 ? r.xlo[t] : r.xhi[t]);
            fw[t] = 0;
        }
        double prev = Math.max(0, z);
        double c = prev;
        for (int t : order) {
            double wt = w[o * in + t];
            double low = wt > 0 ? r.xlo[t] : r.xhi[t];
            double span = (wt > 0 ? r.xhi[t] : r.xlo[t]) - low;
            if (wt == 0 || span == 0) {
                continue;
            }
            z += wt * span;
            double f = Math.max(0, z);
            fw[t] = (f - prev) / span;
            c -= fw[t] * low;
            prev = f;
        }
        return c;
    }

    /** Unit o's inputs by descending oriented position (1 at the end where {@code w_t x} is largest). */
    private int[] sorted(int o, double[] p) {
        int[] order = new int[in];
        double[] key = new double[in];
        for (int t = 0; t < in; t++) {
            double kt = w[o * in + t] > 0 ? p[t] : 1 - p[t];
            int j = t;
            while (j > 0 && key[j - 1] < kt) {
                key[j] = key[j - 1];
                order[j] = order[j - 1];
                j--;
            }
            key[j] = kt;
            order[j] = t;
        }
        return order;
    }

    /**
     * The γ in [0, 1] maximising {@code min over the box of ((1 − γ) g + γ g1)·x + constant} (constants last): the
     * profile is concave and piecewise linear with a break where a coefficient changes sign; walk the breaks in order
     * while the slope is positive.
     */
    static double lineSearch(double[] g, double[] g1, double[] lo, double[] hi) {
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
            boolean up = g[i] > 0 || (g[i] == 0 && d > 0);
            slope += d * (up ? lo[i] : hi[i]);
            double c = -g[i] / d; // where the coefficient crosses 0
            if ((g[i] > 0 && d < 0 || g[i] < 0 && d > 0) && c > 0 && c < 1) {
                at[m] = c;
                jump[m++] = Math.abs(d) * (hi[i] - lo[i]); // the slope drops by this at the break
            }
        }
        if (slope <= 0) {
            return 0;
        }
        Integer[] order = new Integer[m];
        for (int k = 0; k < m; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (s, t) -> Double.compare(at[s], at[t]));
        for (int k : order) {
            slope -= jump[k];
            if (slope <= 0) {
                return at[k];
            }
        }
        return 1;
    }

    /**
     * The constant that makes {@code F = fw·x + fc} a valid upper bound of unit o as executed over the box:
     * {@code fc} raised by the shortfall of {@code min F} below 0 or of {@code min (F − z)} below {@code err}, both
     * minima rounded down, the raise rounded up; infinite when they are not finite.
     */
    double certified(int o, double[] fw, double fc, double err) {
        double s0 = fc;
        double m0 = Math.abs(fc);
        double s1 = fc - b[o];
        double m1 = Math.abs(fc) + Math.abs(b[o]);
        for (int t = 0; t < in; t++) {
            double f = fw[t];
            double d = f - w[o * in + t];
            double v0 = f * (f > 0 ? r.xlo[t] : r.xhi[t]);
            double v1 = d * (d > 0 ? r.xlo[t] : r.xhi[t]);
            s0 += v0;
            s1 += v1;
            m0 += Math.abs(v0);
            m1 += (Math.abs(f) + Math.abs(w[o * in + t])) * r.xmag[t];
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
