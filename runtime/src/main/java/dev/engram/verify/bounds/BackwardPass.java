package dev.engram.verify.bounds;

import dev.engram.model.kernel.Kernels;
import dev.engram.model.kernel.RowProducts;

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
     * sums run in the same order). Layer by layer, the weights are applied to all the rows at once
     * ({@link RowProducts}: matrix times matrix instead of many matrix-vector products): how the unstable neurons of
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
        for (int k = 0; k < rows; k++) {
            pass[k] = new BackwardPass(r);
        }
        if (rows < 4 || top == 0) { // too few rows for a block of the matrix product: row by row, the same sums
            for (int k = 0; k < rows; k++) {
                a[k] = pass[k].startUnit(top, units[k], signs[k]);
                for (int l = top - 1; l >= 0; l--) {
                    a[k] = pass[k].through(l, a[k], null);
                }
            }
        } else {
            BoundNetwork net = r.net;
            int width = 0;
            for (int l = 0; l <= top; l++) {
                width = Math.max(width, net.sizes[l]);
            }
            // unit-major, at[i * rows + k]; each layer's products overwrite the coefficients its relaxation has read
            double[] at = new double[width * rows];
            double[] zt = new double[(width + 1) * rows];
            for (int k = 0; k < rows; k++) {
                if (signs[k] != 0) {
                    pass[k].startTerm(top, units[k], signs[k], at, k, rows);
                }
            }
            for (int l = top - 1; l > 0; l--) {
                Relaxed z = relaxRows(l, at, rows, pass, zt);
                UnitMajorProducts.products(zt, rows, z.live(), z.n(), net.w[l], net.sizes[l], at);
            }
            Relaxed z = relaxRows(0, at, rows, pass, zt); // row by row on the inputs
            for (int k = 0; k < rows; k++) {
                a[k] = new double[net.sizes[0]];
            }
            RowProducts.products(z.z(), rows, z.live(), z.n(), net.w[0], net.sizes[0], a);
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
     * A layer's relaxed coefficients for every row, unit-major ({@code z[j * rows + k]} for the j-th unit with a
     * non-zero slope, {@code live[j]}, of which there are {@code n}; the slot after them takes the units left out).
     */
    private record Relaxed(double[] z, int[] live, int n) {
    }

    /**
     * The relaxation half of {@link #through} for every row (plain relaxation lines), equal value for value, from the
     * rows' coefficients on the layer's post-activations laid out unit by unit ({@code at[o * rows + k]}): unit by
     * unit the relaxation of every row ({@link #relax}, or {@link VectorRelax} with the rows in the vector lanes:
     * each row's sums in the same order as there), the rows' sums updated. The weight products then run over the
     * units with a non-zero slope ({@link UnitMajorProducts} or {@link RowProducts#products}: each row's sums over
     * the units in order, as there). A unit whose two slopes are 0 has coefficient ±0 in every row, which
     * {@link #through} leaves out; one with a slope but coefficient ±0 in every row (which it leaves out too) adds
     * only ±0 products to sums that start from +0, which leaves them as they are (bit for bit: such a sum is never
     * −0).
     */
    private static Relaxed relaxRows(int l, double[] at, int rows, BackwardPass[] pass, double[] zt) {
        LinearBounds r = pass[0].r;
        BoundNetwork net = r.net;
        int out = net.sizes[l + 1];
        double[] c = new double[rows];
        double[] sz = new double[rows];
        double[] e = new double[rows];
        for (int k = 0; k < rows; k++) {
            c[k] = pass[k].cst;
            sz[k] = pass[k].size;
            e[k] = pass[k].err;
        }
        double[] la = r.la[l];
        double[] lb = r.lb[l];
        double[] ua = r.ua[l];
        double[] ub = r.ub[l];
        double[] bl = net.b[l];
        double[] sl = r.slack[l];
        int[] live = new int[out];
        int[] zo = new int[out];
        int n = 0;
        for (int o = 0; o < out; o++) {
            if (la[o] != 0 || ua[o] != 0) {
                zo[o] = n * rows;
                live[n++] = o;
            } else {
                zo[o] = out * rows;
            }
        }
        int k0 = Kernels.vector() ? VectorRelax.relax(la, lb, ua, ub, bl, sl, at, rows, out, zo, zt, c, sz, e) : 0;
        if (k0 < rows) {
            for (int o = 0; o < out; o++) {
                relax(la[o], lb[o], ua[o], ub[o], bl[o], sl[o], at, o * rows, zt, zo[o], k0, c, sz, e);
            }
        }
        for (int k = 0; k < rows; k++) {
            pass[k].cst = c[k];
            pass[k].size = sz[k];
            pass[k].err = e[k];
            pass[k].terms += 2L * out;
        }
        return new Relaxed(zt, live, n);
    }

    /**
     * One unit's relaxation for every row k with coefficient {@code at[ao + k]} on its post-activation (lines
     * {@code la z + lb} below, {@code ua z + ub} above, bias {@code b}, slack {@code s}): the coefficient on its
     * pre-activation to {@code z[zo + k]}, the line's intercept and the bias term added to {@code c[k]} (in this
     * order), their magnitudes to {@code sz[k]}, {@code |z| s} to {@code e[k]}. Branch free (the signs of the
     * coefficients are random, so branches on them mispredict): of p and q one is 0, so each product is the single
     * product it stands for (the lines are finite: a pass over infinite bounds stops at {@code r.overflow}), and a term
     * that is 0 leaves the sums unchanged.
     */
    private static void relax(double la, double lb, double ua, double ub, double b, double s, double[] at, int ao,
                              double[] z, int zo, int k0, double[] c, double[] sz, double[] e) {
        for (int k = k0; k < c.length; k++) {
            double ak = at[ao + k];
            double p = Math.max(ak, 0.0);
            double q = Math.min(ak, 0.0);
            double zk = p * la + q * ua;
            double v = p * lb + q * ub;
            double zb = zk * b;
            c[k] = c[k] + v + zb;
            sz[k] = sz[k] + Math.abs(v) + Math.abs(zb);
            e[k] += Math.abs(zk) * s;
            z[zo + k] = zk;
        }
    }

    private void add(double t) {
        cst += t;
        size += Math.abs(t);
        terms++;
    }

    /** {@code c · ẑ_top = c · (W h + b + e)}: the coefficients on the post-activations of layer top - 1. */
    private double[] start(int top, double[] c) {
        double[] a = new double[net.sizes[top]];
        for (int o = 0; o < c.length; o++) {
            if (c[o] != 0) {
                startTerm(top, o, c[o], a, 0, 1);
            }
        }
        return a;
    }

    /** {@link #start} for {@code c} the unit vector of unit o times {@code sign}: the same sums, without the scan. */
    private double[] startUnit(int top, int o, double sign) {
        double[] a = new double[net.sizes[top]];
        if (sign != 0) {
            startTerm(top, o, sign, a, 0, 1);
        }
        return a;
    }

    /**
     * Unit o's term {@code co · ẑ_top[o]} of the objective: its bias and slack to the sums, its weights to a (input
     * i's coefficient at {@code a[off + i * stride]}).
     */
    private void startTerm(int top, int o, double co, double[] a, int off, int stride) {
        int in = net.sizes[top];
        double[] w = net.w[top];
        add(co * net.b[top][o]);
        err += Math.abs(co) * r.topSlack[top][o];
        int wb = o * in;
        for (int i = 0; i < in; i++) {
            a[off + i * stride] += co * w[wb + i];
        }
    }

    /**
     * Through layer l: from the coefficients {@code a} on its post-activations, through its relaxation lines
     * ({@code alpha}, when given, for the free lower slopes) and weights, to those on its inputs.
     */
    private double[] through(int l, double[] a, double[] alpha) {
        int in = net.sizes[l];
        double[] zs = new double[a.length];
        relaxAll(l, a, alpha, zs);
        int[] live = new int[a.length];
        int n = 0;
        for (int o = 0; o < a.length; o++) {
            if (zs[o] != 0) {
                zs[n] = zs[o];
                live[n++] = o;
            }
        }
        double[][] prev = {new double[in]};
        RowProducts.products(zs, 1, live, n, net.w[l], in, prev);
        return prev[0];
    }

    /**
     * Layer l's units with coefficients {@code a} on their post-activations, through their relaxation lines
     * ({@code alpha}, when given, for the free lower slopes): adds each line's intercept and the unit's bias and
     * slack to the sums, unit by unit ({@link #relax}, as {@link #relaxRows} does), and writes the coefficients on
     * the pre-activations to {@code az} (0 where there is none). Every unit counts as two terms of the constant (an
     * upper bound of the terms that are not 0: the error bound only grows with the count).
     */
    private void relaxAll(int l, double[] a, double[] alpha, double[] az) {
        double[] lal = alpha == null ? r.la[l] : optimisedSlopes(l, alpha);
        double[] lbl = alpha == null ? r.lb[l] : optimisedIntercepts(l);
        double[] ual = r.ua[l];
        double[] ubl = r.ub[l];
        double[] bl = net.b[l];
        double[] sl = r.slack[l];
        double c = cst;
        double sz = size;
        double e = err;
        for (int o = 0; o < a.length; o++) {
            double p = Math.max(a[o], 0.0);
            double q = Math.min(a[o], 0.0);
            double z = p * lal[o] + q * ual[o];
            double v = p * lbl[o] + q * ubl[o];
            double zb = z * bl[o];
            c = c + v + zb;
            sz = sz + Math.abs(v) + Math.abs(zb);
            e += Math.abs(z) * sl[o];
            az[o] = z;
        }
        cst = c;
        size = sz;
        err = e;
        terms += 2L * a.length;
    }

    /** Layer l's lower slopes with {@code alpha} in place of the free ones. */
    private double[] optimisedSlopes(int l, double[] alpha) {
        double[] s = r.la[l].clone();
        boolean[] fr = r.free[l];
        for (int o = 0; o < s.length; o++) {
            if (fr[o]) {
                s[o] = alpha[o];
            }
        }
        return s;
    }

    /** Layer l's lower intercepts with 0 for the free units (their optimised lines {@code alpha z} pass through 0). */
    private double[] optimisedIntercepts(int l) {
        double[] s = r.lb[l].clone();
        boolean[] fr = r.free[l];
        for (int o = 0; o < s.length; o++) {
            if (fr[o]) {
                s[o] = 0;
            }
        }
        return s;
    }

    /** The linear function on the inputs, its constant lowered by the pass's error terms. */
    private LinearBounds.Linear result(double[] a) {
        double total = err + Rounding.gamma(terms + 1) * size + Rounding.TINY * (1 + r.maxMag);
        return new LinearBounds.Linear(a, Math.nextDown(cst - Rounding.up(total, terms + 2L * net.sizes[net.layers]
                + 4)));
    }
}
