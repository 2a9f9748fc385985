package dev.engram.verify.bounds;

/**
 * Symbolic bounds of one layer's values in terms of the inputs, stored coefficient-major ({@code lower[k][i]} is
 * the coefficient of input k in the lower function of unit i; row {@code k == d} holds the constants) so the inner
 * loops run over a layer's units. Each unit carries its validity slack {@code err} and the absolute sizes
 * {@code sizeLower}, {@code sizeUpper} ({@code Σ_k |coef_k| max|x_k| + |constant|}) of its two functions; see
 * {@link SymbolicForward} for the rules.
 */
final class Symbolic {
    private final double[][] lower;
    private final double[][] upper;
    private final double[] err;
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
        double[] wpT = net.wPosT[l];
        double[] wnT = net.wNegT[l];
        double[][] zL = new double[st][out];
        double[][] zU = new double[st][out];
        // zL[k] = W+ L[k] + W- U[k], zU[k] = W+ U[k] + W- L[k], as axpy loops over the outputs
        for (int k = 0; k < st; k++) {
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
     * Concretises unit {@code o} over the region into {@code zl[o]}, {@code zu[o]} (kept when tighter), recording
     * the functions' sizes.
     */
    void concretise(LinearBounds r, int o, double[] zl, double[] zu) {
        int d = lower.length - 1;
        double sl = lower[d][o];
        double su = upper[d][o];
        double ql = Math.abs(sl);
        double qu = Math.abs(su);
        for (int k = 0; k < d; k++) {
            double a = lower[k][o];
            double c = upper[k][o];
            sl += a > 0 ? a * r.xlo[k] : a * r.xhi[k];
            su += c > 0 ? c * r.xhi[k] : c * r.xlo[k];
            ql += Math.abs(a) * r.xmag[k];
            qu += Math.abs(c) * r.xmag[k];
        }
        sizeLower[o] = Rounding.up(ql, d + 1);
        sizeUpper[o] = Rounding.up(qu, d + 1);
        double g = Rounding.gamma(d + 2);
        double lowerBound = Math.nextDown(sl - Rounding.up(err[o] + g * sizeLower[o], 2));
        double upperBound = Math.nextUp(su + Rounding.up(err[o] + g * sizeUpper[o], 2));
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
