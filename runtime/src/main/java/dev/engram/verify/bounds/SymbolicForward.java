package dev.engram.verify.bounds;

import dev.engram.verify.LinearConstraint;

import java.util.Arrays;
import java.util.List;

/**
 * Builds {@link LinearBounds} layer by layer: interval bounds ({@link #interval}) and symbolic forward bounds
 * ({@link #run}): every neuron's executed pre-activation gets a linear lower and upper function of the inputs,
 * intersected with the interval bounds, the parent box's bounds and (optionally) backward passes.
 *
 * <p>Soundness in double: a symbolic bound is kept with a validity slack {@code err}, so that
 * {@code ẑ_o >= ZL_o(x) − err_o} (and {@code <= ZU_o(x) + err_o}) for every x of the region, {@code ZL_o} being the
 * function of the stored double coefficients evaluated exactly. Through a layer the slack grows by
 * {@code Σ_i |w_oi| err_i} (the inputs' slacks), {@code ε_o} (float32 execution, {@link DenseRounding}) and
 * {@code γ_{n+1} (Σ_i |w_oi| Q_i + |b_o|)} (rounding of the new coefficients, {@code Q_i} the inputs' functions'
 * absolute sizes {@code Σ_k |coef_k| max|x_k|}); through a relaxation line of slope {@code s} and intercept
 * {@code t} it becomes {@code s err_o + 2u (s Q_o + |t|)}. Concretising a function over the box adds
 * {@code γ_{d+1} Q_o}. Interval bounds of a layer are widened by {@code ε_o + γ_{n+2} (Σ_i |w_oi| m_i + |b_o|)}.
 */
final class SymbolicForward {
    private SymbolicForward() {
    }

    static LinearBounds interval(BoundNetwork net, double[] xlo, double[] xhi) {
        LinearBounds r = new LinearBounds(net, xlo, xhi, List.of(), Deadline.NONE);
        Layer in = Layer.inputs(r);
        for (int l = 0; l < net.layers && !r.overflow; l++) {
            Interval z = intervalLayer(net, l, in);
            r.store(l, z.lo(), z.hi(), z.eps(), z.mag());
            in = Layer.after(r, l);
        }
        return infinite(r);
    }

    /**
     * The interval bounds of one executed layer, {@code W+ hl + W- hu + b} widened by its error terms, and in the
     * same pass over the weights its float32 error bounds ({@link DenseRounding}): {@code eps[o]}, and
     * {@code mag[o] >= Σ_i |w_oi| m_i}.
     */
    private static Interval intervalLayer(BoundNetwork net, int l, Layer in) {
        int n = net.sizes[l];
        int out = net.sizes[l + 1];
        double[] eps = new double[out];
        double[] mag = new double[out];
        double[] zl = new double[out];
        double[] zu = new double[out];
        double[] b = net.b[l];
        double[] hl = in.lo;
        double[] hu = in.hi;
        double[] hm = in.mag;
        double[] hr = in.rho;
        double g = Rounding.gamma(n + 2);
        boolean huge = DenseRounding.huge(in.mag, in.rho);
        double[] sl = b.clone();
        double[] su = b.clone();
        double[] sm = new double[out];
        double[] sr = new double[out];
        if (finite(hl) && finite(hu) && finite(hm) && finite(hr)) {
            sums(net, l, in, sl, su, sm, sr);
        } else { // an infinite input bound: 0 x inf must not arise
            double[] wp = net.wPos[l];
            double[] wn = net.wNeg[l];
            double[] wa = net.wAbs[l];
            for (int o = 0; o < out; o++) {
                int base = o * n;
                for (int i = 0; i < n; i++) {
                    double wv = wp[base + i] + wn[base + i];
                    if (wv != 0) {
                        sl[o] += wv * (wv > 0 ? hl[i] : hu[i]);
                        su[o] += wv * (wv > 0 ? hu[i] : hl[i]);
                        sm[o] += wa[base + i] * hm[i];
                        sr[o] += wa[base + i] * hr[i];
                    }
                }
            }
        }
        for (int o = 0; o < out; o++) {
            mag[o] = Rounding.up(sm[o], n);
            eps[o] = DenseRounding.unit(net, l, mag[o], Rounding.up(sr[o], n), b[o], huge);
            double widen = Rounding.up(eps[o] + g * (mag[o] + Math.abs(b[o])), 3);
            zl[o] = Math.nextDown(sl[o] - widen);
            zu[o] = Math.nextUp(su[o] + widen);
        }
        return new Interval(zl, zu, eps, mag);
    }

    /**
     * The interval sums of one layer over finite inputs, {@code sl += W+ hl + W- hu}, {@code su += W+ hu + W- hl},
     * {@code sm += |W| mag}, {@code sr += |W| rho}, as axpy loops over the outputs (the transposed weights; each
     * output's sum still runs over the inputs in order, so the values are those of the row-by-row sums). Branch free
     * (weight signs are random, so a branch on them mispredicts half the time): one of p, q is 0 and the inputs are
     * finite, so each term equals the single product it stands for.
     */
    private static void sums(BoundNetwork net, int l, Layer in, double[] sl, double[] su, double[] sm, double[] sr) {
        int n = net.sizes[l];
        int out = sl.length;
        double[] wpT = net.wPosT[l];
        double[] wnT = net.wNegT[l];
        double[] waT = net.wAbsT[l];
        for (int i = 0; i < n; i++) {
            double hl = in.lo[i];
            double hu = in.hi[i];
            double hm = in.mag[i];
            double hr = in.rho[i];
            if (hl == 0 & hu == 0 & hm == 0 & hr == 0) {
                continue; // its terms are +-0 and change no sum (an inactive ReLU)
            }
            int base = i * out;
            for (int o = 0; o < out; o++) {
                double p = wpT[base + o];
                double q = wnT[base + o];
                double a = waT[base + o];
                sl[o] += p * hl + q * hu;
                su[o] += p * hu + q * hl;
                sm[o] += a * hm;
                sr[o] += a * hr;
            }
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

    /** A layer's interval bounds and its float32 error terms ({@code eps}, {@code mag}: {@link DenseRounding}). */
    private record Interval(double[] lo, double[] hi, double[] eps, double[] mag) {
    }

    /**
     * Symbolic forward propagation (see {@link LinearBounds#forward(BoundNetwork, double[], double[], boolean,
     * LinearBounds, List)}).
     */
    static LinearBounds run(BoundNetwork net, double[] xlo, double[] xhi, boolean crown, LinearBounds parent,
                            LinearBounds cover, List<LinearConstraint> cons, Deadline deadline) {
        LinearBounds r = new LinearBounds(net, xlo, xhi, cons, deadline);
        LinearBounds also = cover != null && covers(cover, net, xlo, xhi, r.cons) ? cover : null;
        r.parentAlphas = parent == null ? null : parent.alphas;
        Symbolic h = Symbolic.inputs(r);
        Layer in = Layer.inputs(r);
        for (int l = 0; l < net.layers && !r.overflow; l++) {
            deadline.check();
            int out = net.sizes[l + 1];
            Interval box = intervalLayer(net, l, in);
            double[] eps = box.eps();
            double[] mag = box.mag();
            double[] zl = box.lo();
            double[] zu = box.hi();
            Symbolic z = h.through(net, l, eps, deadline);
            z.concretise(r, zl, zu);
            for (int o = 0; o < out; o++) {
                if (parent != null) {
                    zl[o] = Math.max(zl[o], parent.lo[l][o]);
                    zu[o] = Math.min(zu[o], parent.hi[l][o]);
                }
                if (also != null) {
                    zl[o] = Math.max(zl[o], also.lo[l][o]);
                    zu[o] = Math.min(zu[o], also.hi[l][o]);
                }
            }
            r.topSlack[l] = new double[out]; // the backward passes below start on this layer
            double g = Rounding.gamma(out + 1);
            for (int o = 0; o < out; o++) {
                r.topSlack[l][o] = Rounding.up(eps[o] + g * mag[o], 2);
            }
            if (crown && l > 0 && l < net.layers - 1) {
                tighten(r, l, zl, zu);
            }
            for (int o = 0; o < out; o++) {
                if (zl[o] > zu[o]) { // only when the region is empty (every bound here is sound)
                    double m = 0.5 * (zl[o] + zu[o]);
                    zl[o] = m;
                    zu[o] = m;
                }
            }
            r.store(l, zl, zu, eps, mag);
            if (l < net.layers - 1) {
                h = z.relaxed(r, l);
                in = Layer.after(r, l);
            }
        }
        return infinite(r);
    }

    /**
     * Tightens the bounds of layer {@code l}'s unstable neurons by backward passes through the relaxations of the
     * layers below (CROWN), all of the layer's neurons in one batched pass ({@link BackwardPass#units}) per
     * side: first the side nearer to stabilising each neuron (the lower bound when its interval lies mostly above
     * 0), then the other side for those the first left unstable (a stable unit's relaxation is exact whatever its
     * other bound).
     */
    private static void tighten(LinearBounds r, int l, double[] zl, double[] zu) {
        int out = zl.length;
        boolean[] lowerFirst = new boolean[out];
        for (int o = 0; o < out; o++) {
            lowerFirst[o] = zu[o] > -zl[o];
        }
        for (int side = 0; side < 2; side++) {
            int[] units = new int[out];
            double[] signs = new double[out];
            int n = 0;
            for (int o = 0; o < out; o++) {
                if (zl[o] < 0 && zu[o] > 0) {
                    units[n] = o;
                    signs[n++] = lowerFirst[o] == (side == 0) ? 1 : -1;
                }
            }
            if (n == 0) {
                return;
            }
            r.deadline.check();
            units = Arrays.copyOf(units, n);
            LinearBounds.Linear[] fs = BackwardPass.units(r, l, units, Arrays.copyOf(signs, n));
            for (int k = 0; k < n; k++) {
                int o = units[k];
                double v = r.value(fs[k], null, true);
                if (signs[k] > 0) {
                    zl[o] = Math.max(zl[o], v);
                } else {
                    zu[o] = Math.min(zu[o], -v);
                }
            }
        }
    }

    /**
     * True when {@code cover}'s bounds hold on the box {@code [xlo, xhi]} under the input constraints {@code cons}:
     * its box contains this one, under the same constraints, for the same network's layers.
     */
    private static boolean covers(LinearBounds cover, BoundNetwork net, double[] xlo, double[] xhi,
                                  List<LinearConstraint> cons) {
        if (cover.xlo.length != xlo.length || !cover.cons.equals(cons) || cover.net != net) {
            return false;
        }
        for (int i = 0; i < xlo.length; i++) {
            if (!(cover.xlo[i] <= xlo[i] && xhi[i] <= cover.xhi[i])) {
                return false;
            }
        }
        return true;
    }

    /** When float32 overflow could not be excluded, every layer's bounds become infinite. */
    private static LinearBounds infinite(LinearBounds r) {
        if (!r.overflow) {
            return r;
        }
        for (int l = 0; l < r.net.layers; l++) {
            int out = r.net.sizes[l + 1];
            r.lo[l] = new double[out];
            r.hi[l] = new double[out];
            Arrays.fill(r.lo[l], Double.NEGATIVE_INFINITY);
            Arrays.fill(r.hi[l], Double.POSITIVE_INFINITY);
        }
        return r;
    }

    /**
     * Interval bounds of one layer's inputs (the post-activations of the layer below, or the inputs): {@code lo},
     * {@code hi}, magnitudes {@code mag} and the float32 rounding {@code rho} of their executed values.
     */
    private record Layer(double[] lo, double[] hi, double[] mag, double[] rho) {
        static Layer inputs(LinearBounds r) {
            return new Layer(r.xlo, r.xhi, r.xmag, DenseRounding.inputRounding(r.xmag));
        }

        static Layer after(LinearBounds r, int l) {
            int out = r.lo[l].length;
            ActivationRelaxation act = r.net.act[l];
            double[] hl = new double[out];
            double[] hu = new double[out];
            double[] mag = new double[out];
            double[] rho = new double[out];
            for (int o = 0; o < out; o++) {
                hl[o] = act.applyDown(r.lo[l][o]);
                hu[o] = act.applyUp(r.hi[l][o]);
                mag[o] = Math.max(Math.abs(hl[o]), Math.abs(hu[o]));
                rho[o] = act.roundingError(Math.max(Math.abs(r.lo[l][o]), Math.abs(r.hi[l][o])));
            }
            return new Layer(hl, hu, mag, rho);
        }
    }
}
