package dev.engram.verify.bounds;

import dev.engram.model.kernel.RowProducts;

/**
 * Symbolic bounds of one layer's values in terms of the inputs, stored coefficient-major ({@code lower[k][i]} is
 * the coefficient of input k in the lower function of unit i; row {@code k == d} holds the constants) so the inner
 * loops run over a layer's units. Each unit carries its validity slack {@code err} and the absolute sizes
 * {@code sizeLower}, {@code sizeUpper} ({@code Σ_k |coef_k| max|x_k| + |constant|}) of its two functions; see
 * {@link SymbolicForward} for the rules.
 */
final class Symbolic {
    /** Rows of the symbolic functions multiplied at once (and between two deadline checks). */
    private static final int BLOCK = 16;
    final double[][] lower;
    final double[][] upper;
    final double[] err;
    private final double[] sizeLower;
    private final double[] sizeUpper;

    private Symbolic(double[][] lower, double[][] upper, double[] err, double[] sizeLower, double[] sizeUpper) {
        this.lower = lower;
        this.upper = upper;
        this.err = err;
        this.sizeLower = sizeLower;
        this.sizeUpper = sizeUpper;
    }

    /** The inputs themselves: exact identity functions. */
    static Symbolic inputs(LinearBounds r) {
        int d = r.xlo.length;
        double[][] l = new double[d + 1][d];
        double[][] u = new double[d + 1][d];
        for (int i = 0; i < d; i++) {
            l[i][i] = 1;
            u[i][i] = 1;
        }
        return new Symbolic(l, u, new double[d], r.xmag.clone(), r.xmag.clone());
    }

    /**
     * The symbolic bounds of layer {@code l}'s executed pre-activations, {@code W+ L + W- U + b} and
     * {@code W+ U + W- L + b}, with their slacks ({@code eps}: the layer's float32 error); checks the deadline
     * every 16 rows.
     */
    Symbolic through(BoundNetwork net, int l, double[] eps, Deadline deadline) {
        int in = net.sizes[l];
        int out = net.sizes[l + 1];
        int st = lower.length;
        double[][] zL = new double[st][];
        double[][] zU = new double[st][];
        for (int k = 0; k < st; k++) {
            zL[k] = new double[out];
            zU[k] = new double[out];
        }
        if (net.finiteW[l]) {
            signedProducts(net, l, zL, zU, deadline);
        } else {
            axpy(net, l, zL, zU, deadline);
        }
        double[] bl = net.b[l];
        int d = st - 1;
        for (int o = 0; o < out; o++) {
            zL[d][o] += bl[o];
            zU[d][o] += bl[o];
        }
        double g = Rounding.gamma(in + 1);
        double[] v = new double[in];
        for (int i = 0; i < in; i++) {
            v[i] = Rounding.up(err[i] + g * (sizeLower[i] + sizeUpper[i]), 3);
        }
        double[] errZ = weightedSums(net, l, v);
        for (int o = 0; o < out; o++) {
            errZ[o] = Rounding.up(errZ[o] + eps[o] + g * Math.abs(bl[o]), in + 3);
        }
        return new Symbolic(zL, zU, errZ, new double[out], new double[out]);
    }

    /**
     * {@code zL[k] = W+ L[k] + W- U[k]}, {@code zU[k] = W+ U[k] + W- L[k]}, as axpy loops over the outputs (the
     * transposed weights): each output's sum runs over the inputs in order, adding {@code p l_i + n u_i} (one of the
     * two weight parts is 0), inputs whose two coefficients are 0 left out.
     */
    private void axpy(BoundNetwork net, int l, double[][] zL, double[][] zU, Deadline deadline) {
        int in = net.sizes[l];
        int out = net.sizes[l + 1];
        double[] wpT = net.wPosT[l];
        double[] wnT = net.wNegT[l];
        for (int k = 0; k < lower.length; k++) {
            if ((k & 15) == 15) {
                deadline.check();
            }
            double[] lk = lower[k];
            double[] uk = upper[k];
            double[] zlk = zL[k];
            double[] zuk = zU[k];
            for (int i = 0; i < in; i++) {
                double li = lk[i];
                double ui = uk[i];
                if (li == 0 && ui == 0) {
                    continue;
                }
                int base = i * out;
                for (int o = 0; o < out; o++) {
                    double p = wpT[base + o];
                    double n = wnT[base + o];
                    zlk[o] += p * li + n * ui;
                    zuk[o] += p * ui + n * li;
                }
            }
        }
    }

    /**
     * {@link #axpy}'s sums for finite weights as one product ({@link RowProducts#products}) of the rows
     * {@code (L[k], U[k])} for {@code zL[k]} and {@code (U[k], L[k])} for {@code zU[k]}, unit by unit interleaved
     * ({@code 2i}: the coefficient of input i times {@link BoundNetwork#wSignT}'s row of {@code W+}, {@code 2i + 1}
     * the other times {@code W-}), {@link #BLOCK} rows at a time: the same values bit for bit. Each output's sum runs over the inputs in order from
     * +0, adding {@code p l_i} and {@code n u_i} one after the other, where {@link #axpy} adds
     * {@code p l_i + n u_i}; one of p, n is 0, so one of the two products is ±0 and the other is that sum's value, and
     * adding ±0 never changes a sum that starts from +0 (it is never −0). An input whose coefficients are all 0 adds
     * only ±0 and is left out.
     */
    private void signedProducts(BoundNetwork net, int l, double[][] zL, double[][] zU, Deadline deadline) {
        for (int k0 = 0; k0 < lower.length; k0 += BLOCK) {
            if (k0 > 0) {
                deadline.check();
            }
            signedBlock(net, l, k0, Math.min(lower.length, k0 + BLOCK), zL, zU);
        }
    }

    /** {@link #signedProducts} for the rows {@code [k0, k1)}. */
    private void signedBlock(BoundNetwork net, int l, int k0, int k1, double[][] zL, double[][] zU) {
        int in = net.sizes[l];
        int out = net.sizes[l + 1];
        int st = k1 - k0;
        int rows = 2 * st;
        double[] z = new double[2 * in * rows];
        int[] units = new int[2 * in];
        int n = 0;
        for (int i = 0; i < in; i++) {
            int pos = n * rows;
            int neg = pos + rows;
            boolean any = false;
            for (int k = 0; k < st; k++) {
                double li = lower[k0 + k][i];
                double ui = upper[k0 + k][i];
                z[pos + k] = li;
                z[neg + k] = ui;
                z[pos + st + k] = ui;
                z[neg + st + k] = li;
                any |= li != 0 || ui != 0;
            }
            if (any) {
                units[n++] = 2 * i;
                units[n++] = 2 * i + 1;
            }
        }
        double[][] prev = new double[rows][];
        System.arraycopy(zL, k0, prev, 0, st);
        System.arraycopy(zU, k0, prev, st, st);
        RowProducts.products(z, rows, units, n, net.wSignT[l], out, prev);
    }

    /**
     * {@code Σ_i |w_oi| v_i} for every output o, the terms with {@code w_oi = 0} left out (0 x inf must not arise),
     * summed over i in order. With finite {@code v} the zero terms add +0 to a sum of non-negative terms, which
     * changes nothing, so the sums run as branch-free axpy loops over the outputs (the transposed weights).
     */
    private static double[] weightedSums(BoundNetwork net, int l, double[] v) {
        int in = net.sizes[l];
        int out = net.sizes[l + 1];
        double[] s = new double[out];
        boolean finite = true;
        for (double x : v) {
            finite &= Double.isFinite(x);
        }
        if (finite) {
            double[] waT = net.wAbsT[l];
            for (int i = 0; i < in; i++) {
                double vi = v[i];
                int base = i * out;
                for (int o = 0; o < out; o++) {
                    s[o] += waT[base + o] * vi;
                }
            }
            return s;
        }
        double[] wAbs = net.wAbs[l];
        for (int o = 0; o < out; o++) {
            int base = o * in;
            for (int i = 0; i < in; i++) {
                double w = wAbs[base + i];
                if (w != 0) {
                    s[o] += w * v[i];
                }
            }
        }
        return s;
    }

    /**
     * Concretises every unit over the region into {@code zl}, {@code zu} (kept where tighter), recording the
     * functions' sizes. Each unit's sums run over the inputs in order from its constant, as loops over the units
     * (the coefficient-major layout). Over a finite box each term is taken branch free, {@code max(a, 0) xlo +
     * min(a, 0) xhi}: one of the two products is ±0, so the term is the single product it stands for (the signs of
     * the coefficients are random, so a branch on them mispredicts).
     */
    void concretise(LinearBounds r, double[] zl, double[] zu) {
        int d = lower.length - 1;
        int out = err.length;
        double[] sl = lower[d].clone();
        double[] su = upper[d].clone();
        double[] ql = new double[out];
        double[] qu = new double[out];
        for (int o = 0; o < out; o++) {
            ql[o] = Math.abs(sl[o]);
            qu[o] = Math.abs(su[o]);
        }
        boolean finite = finite(r.xlo) && finite(r.xhi);
        for (int k = 0; k < d; k++) {
            double[] lk = lower[k];
            double[] uk = upper[k];
            double xl = r.xlo[k];
            double xh = r.xhi[k];
            double xm = r.xmag[k];
            for (int o = 0; o < out; o++) {
                double a = lk[o];
                double c = uk[o];
                if (finite) {
                    sl[o] += Math.max(a, 0.0) * xl + Math.min(a, 0.0) * xh;
                    su[o] += Math.max(c, 0.0) * xh + Math.min(c, 0.0) * xl;
                } else {
                    sl[o] += a > 0 ? a * xl : a * xh;
                    su[o] += c > 0 ? c * xh : c * xl;
                }
                ql[o] += Math.abs(a) * xm;
                qu[o] += Math.abs(c) * xm;
            }
        }
        double g = Rounding.gamma(d + 2);
        for (int o = 0; o < out; o++) {
            sizeLower[o] = Rounding.up(ql[o], d + 1);
            sizeUpper[o] = Rounding.up(qu[o], d + 1);
            double lowerBound = Math.nextDown(sl[o] - Rounding.up(err[o] + g * sizeLower[o], 2));
            double upperBound = Math.nextUp(su[o] + Rounding.up(err[o] + g * sizeUpper[o], 2));
            if (!r.cons.isEmpty()) {
                double[] al = new double[d];
                double[] au = new double[d];
                for (int k = 0; k < d; k++) {
                    al[k] = lower[k][o];
                    au[k] = -upper[k][o];
                }
                double pl = Math.nextDown(lower[d][o] + InputPolytope.min(al, r.xlo, r.xhi, r.xmag, r.cons));
                double pu = Math.nextUp(upper[d][o] - InputPolytope.min(au, r.xlo, r.xhi, r.xmag, r.cons));
                lowerBound = Math.max(lowerBound, Math.nextDown(pl - err[o]));
                upperBound = Math.min(upperBound, Math.nextUp(pu + err[o]));
            }
            zl[o] = Math.max(zl[o], lowerBound);
            zu[o] = Math.min(zu[o], upperBound);
        }
    }

    private static boolean finite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The symbolic bounds of layer {@code l}'s post-activations: each unit's functions through its relaxation
     * lines (lower through the lower line, upper through the upper one; slopes are non-negative).
     */
    Symbolic relaxed(LinearBounds r, int l) {
        int st = lower.length;
        int d = st - 1;
        int out = err.length;
        double[] la = r.la[l];
        double[] ua = r.ua[l];
        double[][] hL = new double[st][out];
        double[][] hU = new double[st][out];
        for (int k = 0; k < st; k++) {
            double[] zlk = lower[k];
            double[] zuk = upper[k];
            double[] hlk = hL[k];
            double[] huk = hU[k];
            for (int o = 0; o < out; o++) {
                hlk[o] = la[o] * zlk[o];
                huk[o] = ua[o] * zuk[o];
            }
        }
        double[] errH = new double[out];
        double[] ql = new double[out];
        double[] qu = new double[out];
        for (int o = 0; o < out; o++) {
            double lb = r.lb[l][o];
            double ub = r.ub[l][o];
            hL[d][o] += lb;
            hU[d][o] += ub;
            ql[o] = Rounding.up(Rounding.mulPos(la[o], sizeLower[o]) + Math.abs(lb), 2);
            qu[o] = Rounding.up(Rounding.mulPos(ua[o], sizeUpper[o]) + Math.abs(ub), 2);
            double el = Rounding.mulPos(la[o], err[o]) + 2 * Rounding.U * ql[o];
            double eu = Rounding.mulPos(ua[o], err[o]) + 2 * Rounding.U * qu[o];
            errH[o] = Rounding.up(Math.max(el, eu), 4);
        }
        return new Symbolic(hL, hU, errH, ql, qu);
    }
}
