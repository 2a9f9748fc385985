package dev.engram.verify.bounds;

/**
 * One backward pass (CROWN) over the relaxations of a {@link LinearBounds}, with the running sums that make its
 * result sound in double: the constant, the sum of its terms' magnitudes and the error terms of the units passed.
 * {@link #run} makes one pass for one objective; {@link #units} the passes that tighten the unstable neurons of a
 * layer, all at once.
 *
 * <p>Rounding: with {@code a} the coefficients on a layer's post-activations and {@code az_o} on its executed
 * pre-activations, a pass drops {@code az_o e_o} (at most {@code |az_o| ε_o}), the rounding of
 * {@code az_o = a_o · slope} (at most {@code 2u |az_o| |ẑ_o|}) and that of the coefficients carried down,
 * {@code Σ_o az_o w_oi} (at most {@code γ_out Σ_o |az_o| Σ_i |w_oi| |h_i|}): {@code |az_o|} times the unit's
 * {@link LinearBounds#slack}. The constant's own sum of T terms is off by at most {@code γ_{T+1}} times the sum of
 * their magnitudes. All of it is subtracted from the constant.
 */
final class BackwardPass {
    private final LinearBounds r;
    private final BoundNetwork net;
    private double cst;
    /** Σ |terms| of cst. */
    private double size;
    /** Σ |az_o| slack_o over the units passed. */
    private double err;
    private long terms;

    private BackwardPass(LinearBounds r) {
        this.r = r;
        this.net = r.net;
    }

    /**
     * The backward pass for {@code c · ẑ_top} (for {@code top == layers}: {@code c · y}, the outputs): through each
     * layer's relaxation lines ({@code alpha}, when given, replaces the lower slope of the unstable neurons whose
     * lower line is used, valid for every slope in [minLowerSlope, 1]) and its weights, down to the inputs.
     * {@code rec[l]}, when given, receives the coefficients of layer l's post-activations.
     */
    static LinearBounds.Linear run(LinearBounds r, int top, double[] c, double[][] alpha, double[][] rec) {
        if (r.overflow) {
            return unbounded(r);
        }
        BackwardPass pass = new BackwardPass(r);
        double[] a = top == r.net.layers ? c.clone() : pass.start(top, c);
        for (int l = top - 1; l >= 0; l--) {
            if (rec != null) {
                rec[l] = a;
            }
            a = pass.through(l, a, alpha == null ? null : alpha[l]);
        }
        return pass.result(a);
    }

    /**
     * The backward passes for {@code signs[k] · ẑ_top[units[k]]} (one per row k) at once, equal value for value to
     * {@link #run}{@code (r, top, c_k, null, null)} with {@code c_k} that unit vector times the sign (each row's
     * sums run in the same order). Layer by layer, every weight row is read once for all the rows and applied to them
     * in blocks of four (matrix times matrix instead of many matrix-vector products): how the unstable neurons of
     * one layer are tightened.
     */
    static LinearBounds.Linear[] units(LinearBounds r, int top, int[] units, double[] signs) {
        int rows = units.length;
        LinearBounds.Linear[] out = new LinearBounds.Linear[rows];
        if (r.overflow) {
            for (int k = 0; k < rows; k++) {
                out[k] = unbounded(r);
            }
            return out;
        }
        if (rows == 0) {
            return out;
        }
        BackwardPass[] pass = new BackwardPass[rows];
        double[][] a = new double[rows][];
        double[] c = new double[r.net.sizes[top + 1]];
        for (int k = 0; k < rows; k++) {
            pass[k] = new BackwardPass(r);
            c[units[k]] = signs[k];
            a[k] = pass[k].start(top, c);
            c[units[k]] = 0;
        }
        for (int l = top - 1; l >= 0; l--) {
            a = throughAll(l, a, pass);
        }
        for (int k = 0; k < rows; k++) {
            out[k] = pass[k].result(a[k]);
        }
        return out;
    }

    private static LinearBounds.Linear unbounded(LinearBounds r) {
        return new LinearBounds.Linear(new double[r.xlo.length], Double.NEGATIVE_INFINITY);
    }

    /**
     * {@link #through} for every row (plain relaxation lines): the relaxations row by row, then each weight row read
     * once for all the rows whose coefficient on it is not 0.
     */
    private static double[][] throughAll(int l, double[][] a, BackwardPass[] pass) {
        BoundNetwork net = pass[0].net;
        int rows = a.length;
        int in = net.sizes[l];
        int out = a[0].length;
        double[][] zs = new double[rows][out];
        for (int k = 0; k < rows; k++) {
            pass[k].relaxAll(l, a[k], null, zs[k]);
        }
        double[][] prev = new double[rows][in];
        double[] w = net.w[l];
        double[] az = new double[rows];
        int[] live = new int[rows];
        for (int o = 0; o < out; o++) {
            int n = 0;
            for (int k = 0; k < rows; k++) {
                double z = zs[k][o];
                if (z != 0) {
                    az[n] = z;
                    live[n++] = k;
                }
            }
            int wb = o * in;
            int k = 0;
            for (; k + 3 < n; k += 4) {
                double[] p0 = prev[live[k]];
                double[] p1 = prev[live[k + 1]];
                double[] p2 = prev[live[k + 2]];
                double[] p3 = prev[live[k + 3]];
                double z0 = az[k];
                double z1 = az[k + 1];
                double z2 = az[k + 2];
                double z3 = az[k + 3];
                for (int i = 0; i < in; i++) {
                    double wi = w[wb + i];
                    p0[i] += z0 * wi;
                    p1[i] += z1 * wi;
                    p2[i] += z2 * wi;
                    p3[i] += z3 * wi;
                }
            }
            for (; k < n; k++) {
                double[] p = prev[live[k]];
                double z = az[k];
                for (int i = 0; i < in; i++) {
                    p[i] += z * w[wb + i];
                }
            }
        }
        return prev;
    }

    private void add(double t) {
        cst += t;
        size += Math.abs(t);
        terms++;
    }

    /** {@code c · ẑ_top = c · (W h + b + e)}: the coefficients on the post-activations of layer top - 1. */
    private double[] start(int top, double[] c) {
        int in = net.sizes[top];
        double[] a = new double[in];
        double[] w = net.w[top];
        for (int o = 0; o < c.length; o++) {
            double co = c[o];
            if (co == 0) {
                continue;
            }
            add(co * net.b[top][o]);
            err += Math.abs(co) * r.topSlack[top][o];
            int wb = o * in;
            for (int i = 0; i < in; i++) {
                a[i] += co * w[wb + i];
            }
        }
        return a;
    }

    /**
     * Through layer l: from the coefficients {@code a} on its post-activations, through its relaxation lines
     * ({@code alpha}, when given, for the free lower slopes) and weights, to those on its inputs.
     */
    private double[] through(int l, double[] a, double[] alpha) {
        int in = net.sizes[l];
        double[] prev = new double[in];
        double[] w = net.w[l];
        double[] zs = new double[a.length];
        relaxAll(l, a, alpha, zs);
        for (int o = 0; o < a.length; o++) {
            double az = zs[o];
            if (az == 0) {
                continue;
            }
            int wb = o * in;
            for (int i = 0; i < in; i++) {
                prev[i] += az * w[wb + i];
            }
        }
        return prev;
    }

    /**
     * Layer l's units with coefficients {@code a} on their post-activations, through their relaxation lines
     * ({@code alpha}, when given, for the free lower slopes): adds each line's intercept and the unit's bias and
     * slack to the sums, unit by unit, and writes the coefficients on the pre-activations to {@code az} (0 where
     * there is none).
     */
    private void relaxAll(int l, double[] a, double[] alpha, double[] az) {
        double[] lal = r.la[l];
        double[] lbl = r.lb[l];
        double[] ual = r.ua[l];
        double[] ubl = r.ub[l];
        double[] bl = net.b[l];
        double[] sl = r.slack[l];
        boolean[] fr = r.free[l];
        double c = cst;
        double sz = size;
        double e = err;
        long t = terms;
        for (int o = 0; o < a.length; o++) {
            double ao = a[o];
            double z = 0;
            if (ao != 0) {
                double line;
                if (ao > 0) {
                    boolean optimised = alpha != null && fr[o];
                    z = ao * (optimised ? alpha[o] : lal[o]);
                    line = optimised ? 0 : lbl[o];
                } else {
                    z = ao * ual[o];
                    line = ubl[o];
                }
                if (line != 0) {
                    double v = ao * line;
                    c += v;
                    sz += Math.abs(v);
                    t++;
                }
                if (z != 0) {
                    double v = z * bl[o];
                    c += v;
                    sz += Math.abs(v);
                    t++;
                    e += Math.abs(z) * sl[o];
                }
            }
            az[o] = z;
        }
        cst = c;
        size = sz;
        err = e;
        terms = t;
    }

    /** The linear function on the inputs, its constant lowered by the pass's error terms. */
    private LinearBounds.Linear result(double[] a) {
        double total = err + Rounding.gamma(terms + 1) * size + Rounding.TINY * (1 + r.maxMag);
        return new LinearBounds.Linear(a, Math.nextDown(cst - Rounding.up(total, terms + 2L * net.sizes[net.layers]
                + 4)));
    }
}
