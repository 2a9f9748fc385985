package dev.engram.verify.bounds;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds of one network over one input box. {@link #forward} propagates symbolic linear lower and upper bounds
 * of every neuron in terms of the inputs (DeepPoly/CROWN-style relaxations, efficient in low input dimension),
 * intersected with interval bounds; {@link #lowerBound} then bounds any linear objective of the outputs by one
 * backward pass through the relaxations (CROWN). Computed in double from the float32 weights; callers add the
 * rounding allowance documented in {@code docs/verifier.md}.
 */
public final class LinearBounds {
    private final BoundNetwork net;
    private final double[] xlo;
    private final double[] xhi;
    /** Pre-activation bounds per layer. */
    final double[][] lo;
    final double[][] hi;
    /** Relaxation lines per layer: lower slope/intercept, upper slope/intercept. */
    final double[][] la;
    final double[][] lb;
    final double[][] ua;
    final double[][] ub;
    /**
     * α-CROWN: projected gradient steps on the lower slopes of unstable neurons per {@link #lowerBound} call
     * (0: plain CROWN, the relaxation's own slopes).
     */
    private final int alphaSteps;
    /** The optimised slopes per objective of this box (shared with its {@link #optimised} views). */
    private final Map<Objective, double[][]> alphas;
    /** The parent box's optimised slopes: warm starts. */
    private Map<Objective, double[][]> parentAlphas;

    /** Step size (Adam) of the slope optimisation. */
    static final double ALPHA_LR = Double.parseDouble(System.getProperty("engram.verify.alphaLr", "0.25"));

    /** An objective vector compared by value (key of the slope warm starts). */
    private record Objective(double[] c) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Objective other && Arrays.equals(c, other.c);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(c);
        }
    }

    private LinearBounds(LinearBounds base, int alphaSteps) {
        this.net = base.net;
        this.xlo = base.xlo;
        this.xhi = base.xhi;
        this.lo = base.lo;
        this.hi = base.hi;
        this.la = base.la;
        this.lb = base.lb;
        this.ua = base.ua;
        this.ub = base.ub;
        this.alphaSteps = alphaSteps;
        this.alphas = base.alphas;
        this.parentAlphas = base.parentAlphas;
        this.cons = base.cons;
    }

    /**
     * The same bounds, whose {@link #lowerBound} optimises the lower slopes of the unstable neurons for the
     * objective by {@code steps} steps of projected gradient ascent (α-CROWN), warm-started from the slopes the
     * parent box's optimised view found for the same objective. Any slopes in the valid range give a sound lower
     * relaxation, so the optimised bound is as sound as the plain one and never worse (the best iterate is
     * kept, and the plain relaxation is a candidate). Intermediate bounds are not changed.
     * Not thread-safe: one thread bounds a box at a time; children read the slopes after their parent is done.
     */
    public LinearBounds optimised(int steps) {
        return new LinearBounds(this, steps);
    }

    private final List<dev.engram.verify.LinearConstraint> cons;

    private LinearBounds(BoundNetwork net, double[] xlo, double[] xhi, List<dev.engram.verify.LinearConstraint> cons) {
        this.cons = List.copyOf(cons);
        this.net = net;
        this.xlo = xlo;
        this.xhi = xhi;
        int n = net.layers;
        lo = new double[n][];
        hi = new double[n][];
        la = new double[n][];
        lb = new double[n][];
        ua = new double[n][];
        ub = new double[n][];
        alphaSteps = 0;
        alphas = new HashMap<>(4);
    }

    /** Interval bound propagation only (fast, loose). */
    public static LinearBounds interval(BoundNetwork net, double[] xlo, double[] xhi) {
        LinearBounds r = new LinearBounds(net, xlo, xhi, List.of());
        double[] hl = xlo.clone();
        double[] hu = xhi.clone();
        double[] rel = new double[4];
        for (int l = 0; l < net.layers; l++) {
            int in = net.sizes[l];
            int out = net.sizes[l + 1];
            double[] zl = new double[out];
            double[] zu = new double[out];
            intervalLayer(net.w[l], net.b[l], in, out, hl, hu, zl, zu);
            r.store(l, zl, zu, rel);
            hl = new double[out];
            hu = new double[out];
            for (int o = 0; o < out; o++) {
                hl[o] = net.act[l].apply(zl[o]);
                hu[o] = net.act[l].apply(zu[o]);
            }
        }
        return r;
    }

    private static void intervalLayer(double[] w, double[] b, int in, int out, double[] hl, double[] hu,
                                      double[] zl, double[] zu) {
        for (int o = 0; o < out; o++) {
            double sl = b[o];
            double su = b[o];
            int base = o * in;
            for (int i = 0; i < in; i++) {
                double wv = w[base + i];
                if (wv >= 0) {
                    sl += wv * hl[i];
                    su += wv * hu[i];
                } else {
                    sl += wv * hu[i];
                    su += wv * hl[i];
                }
            }
            zl[o] = sl;
            zu[o] = su;
        }
    }

    private void store(int l, double[] zl, double[] zu, double[] rel) {
        int out = zl.length;
        lo[l] = zl;
        hi[l] = zu;
        la[l] = new double[out];
        lb[l] = new double[out];
        ua[l] = new double[out];
        ub[l] = new double[out];
        for (int o = 0; o < out; o++) {
            net.act[l].relax(zl[o], zu[o], rel);
            la[l][o] = rel[0];
            lb[l][o] = rel[1];
            ua[l][o] = rel[2];
            ub[l][o] = rel[3];
        }
    }

    /** Symbolic forward propagation intersected with interval bounds. */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi) {
        return forward(net, xlo, xhi, false);
    }

    /**
     * Symbolic forward propagation; with {@code crown}, the bounds of every neuron that the forward bounds leave
     * unstable are tightened by backward passes through the relaxations of all earlier layers (CROWN), and the
     * tightened bounds feed the following layers.
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown) {
        return forward(net, xlo, xhi, crown, null);
    }

    /**
     * As {@link #forward(BoundNetwork, double[], double[], boolean)}, intersecting every pre-activation bound with
     * {@code parent}'s, computed over a box containing this one (so its bounds hold here too); neurons the parent
     * already proved stable need no backward pass.
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown,
                                       LinearBounds parent) {
        return forward(net, xlo, xhi, crown, parent, List.of());
    }

    /**
     * As {@link #forward(BoundNetwork, double[], double[], boolean, LinearBounds)}, over the part of the box where
     * the linear input constraints {@code cons} hold: every linear bound is minimised over that polytope
     * ({@link InputPolytope}) instead of the whole box. Only points of the polytope are covered by the bounds.
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown,
                                       LinearBounds parent, List<dev.engram.verify.LinearConstraint> cons) {
        LinearBounds r = new LinearBounds(net, xlo, xhi, cons);
        r.parentAlphas = parent == null ? null : parent.alphas;
        double[][] plo = parent == null ? null : parent.lo;
        double[][] phi = parent == null ? null : parent.hi;
        int d = net.sizes[0];
        int st = d + 1;
        // symbolic bounds stored coefficient-major: hL[k][i] is the coefficient of input k (k == d: constant)
        // in the lower bound of neuron i, so the inner loops run over neurons
        double[][] hL = new double[st][d];
        double[][] hU = new double[st][d];
        for (int i = 0; i < d; i++) {
            hL[i][i] = 1;
            hU[i][i] = 1;
        }
        double[] hl = xlo.clone();
        double[] hu = xhi.clone();
        double[] rel = new double[4];
        for (int l = 0; l < net.layers; l++) {
            int in = net.sizes[l];
            int out = net.sizes[l + 1];
            double[] wpT = net.wPosT[l];
            double[] wnT = net.wNegT[l];
            double[][] zL = new double[st][out];
            double[][] zU = new double[st][out];
            double[] zl = new double[out];
            double[] zu = new double[out];
            intervalLayer(net.w[l], net.b[l], in, out, hl, hu, zl, zu);
            // zL[k] = W+ hL[k] + W- hU[k], zU[k] = W+ hU[k] + W- hL[k], as axpy loops over the outputs
            for (int k = 0; k < st; k++) {
                double[] lk = hL[k];
                double[] uk = hU[k];
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
            for (int o = 0; o < out; o++) {
                zL[d][o] += bl[o];
                zU[d][o] += bl[o];
            }
            for (int o = 0; o < out; o++) {
                double sl = zL[d][o];
                double su = zU[d][o];
                for (int k = 0; k < d; k++) {
                    double a = zL[k][o];
                    double c = zU[k][o];
                    sl += a > 0 ? a * xlo[k] : a * xhi[k];
                    su += c > 0 ? c * xhi[k] : c * xlo[k];
                }
                if (!cons.isEmpty()) {
                    double[] al = new double[d];
                    double[] au = new double[d];
                    for (int k = 0; k < d; k++) {
                        al[k] = zL[k][o];
                        au[k] = -zU[k][o];
                    }
                    sl = zL[d][o] + InputPolytope.min(al, xlo, xhi, cons);
                    su = zU[d][o] - InputPolytope.min(au, xlo, xhi, cons);
                }
                if (sl > zl[o]) {
                    zl[o] = sl;
                }
                if (su < zu[o]) {
                    zu[o] = su;
                }
                if (plo != null) {
                    if (plo[l][o] > zl[o]) {
                        zl[o] = plo[l][o];
                    }
                    if (phi[l][o] < zu[o]) {
                        zu[o] = phi[l][o];
                    }
                }
                if (crown && l > 0 && l < net.layers - 1 && zl[o] < 0 && zu[o] > 0) {
                    double[] e = new double[out];
                    e[o] = 1;
                    double cl = r.backward(l, e, null, null);
                    e[o] = -1;
                    double cu = -r.backward(l, e, null, null);
                    if (cl > zl[o]) {
                        zl[o] = cl;
                    }
                    if (cu < zu[o]) {
                        zu[o] = cu;
                    }
                }
                if (zl[o] > zu[o]) { // rounding on a point box
                    double m = 0.5 * (zl[o] + zu[o]);
                    zl[o] = m;
                    zu[o] = m;
                }
            }
            r.store(l, zl, zu, rel);
            if (l == net.layers - 1) {
                break;
            }
            hL = new double[st][out];
            hU = new double[st][out];
            hl = new double[out];
            hu = new double[out];
            double[] la = r.la[l];
            double[] ua = r.ua[l];
            for (int k = 0; k < st; k++) {
                double[] zlk = zL[k];
                double[] zuk = zU[k];
                double[] hlk = hL[k];
                double[] huk = hU[k];
                for (int o = 0; o < out; o++) {
                    hlk[o] = la[o] * zlk[o];
                    huk[o] = ua[o] * zuk[o];
                }
            }
            for (int o = 0; o < out; o++) {
                hL[d][o] += r.lb[l][o];
                hU[d][o] += r.ub[l][o];
                hl[o] = net.act[l].apply(zl[o]);
                hu[o] = net.act[l].apply(zu[o]);
            }
        }
        return r;
    }

    /**
     * A lower bound of {@code c · y} over the box, by one backward pass. When {@code coef} is given it receives
     * the linear function's coefficients on the inputs (for split heuristics); {@code argmin} the box corner
     * minimising that linear function (a promising candidate counterexample).
     */
    public double lowerBound(double[] c, double[] coef, double[] argmin) {
        if (alphaSteps <= 0) {
            return backward(net.layers, c, coef, argmin);
        }
        return optimise(c, coef, argmin, true);
    }

    /** True when neuron {@code o} of layer {@code l} is unstable and its lower slope can be optimised. */
    private boolean free(int l, int o) {
        return lo[l][o] < 0 && hi[l][o] > 0 && !Double.isNaN(net.act[l].minLowerSlope());
    }

    /**
     * α-CROWN for one objective: projected (Adam) gradient ascent on the lower slopes of the unstable neurons.
     * With the relaxation lines fixed, the backward pass's bound is {@code c·g(x*)} for the affine network g of the
     * chosen lines and its minimising corner x*; its derivative in the slope of neuron o of layer l is
     * {@code a_lo · z_lo(x*)} (a_lo the backward coefficient of the neuron's output, z_lo its pre-activation at x*
     * in g) where the lower line is used, and 0 elsewhere.
     */
    private double optimise(double[] c, double[] coef, double[] argmin, boolean polytope) {
        int layers = net.layers;
        int d = xlo.length;
        Objective key = new Objective(c.clone());
        double[][] warm = alphas.get(key);
        if (warm == null && parentAlphas != null) {
            warm = parentAlphas.get(key);
        }
        double[][] alpha = new double[layers][];
        boolean any = false;
        for (int l = 0; l < layers; l++) {
            int out = net.sizes[l + 1];
            alpha[l] = new double[out];
            double min = net.act[l].minLowerSlope();
            for (int o = 0; o < out; o++) {
                if (free(l, o)) {
                    any = true;
                    double v = warm != null && warm[l] != null ? warm[l][o] : la[l][o];
                    alpha[l][o] = Math.min(1, Math.max(min, v));
                }
            }
        }
        if (!any) {
            return backward(layers, c, coef, argmin, null, null, polytope);
        }
        double[][] m1 = new double[layers][];
        double[][] m2 = new double[layers][];
        for (int l = 0; l < layers; l++) {
            m1[l] = new double[alpha[l].length];
            m2[l] = new double[alpha[l].length];
        }
        double[][] rec = new double[layers][];
        double[] x = new double[d];
        double[] cf = new double[d];
        double[] bestCoef = new double[d];
        double[] bestArg = new double[d];
        // the plain relaxation is a candidate too, so the optimised bound is never looser than plain CROWN's
        double best = backward(layers, c, bestCoef, bestArg, null, null, polytope);
        double[][] bestAlpha = null;
        final double b1 = 0.9;
        final double b2 = 0.999;
        double p1 = 1;
        double p2 = 1;
        for (int t = 0; ; t++) {
            double v = backward(layers, c, cf, x, alpha, rec, polytope);
            if (v > best) {
                best = v;
                System.arraycopy(cf, 0, bestCoef, 0, d);
                System.arraycopy(x, 0, bestArg, 0, d);
                bestAlpha = new double[layers][];
                for (int l = 0; l < layers; l++) {
                    bestAlpha[l] = alpha[l].clone();
                }
            }
            if (t == alphaSteps) {
                break;
            }
            // the affine network of the chosen lines at x*: pre-activations give the slopes' gradients
            p1 *= b1;
            p2 *= b2;
            double[] h = x;
            for (int l = 0; l < layers; l++) {
                int in = net.sizes[l];
                int out = net.sizes[l + 1];
                double[] w = net.w[l];
                double[] bl = net.b[l];
                double[] a = rec[l];
                double[] nh = new double[out];
                double min = net.act[l].minLowerSlope();
                for (int o = 0; o < out; o++) {
                    double z = bl[o];
                    int wb = o * in;
                    for (int i = 0; i < in; i++) {
                        z += w[wb + i] * h[i];
                    }
                    double ao = a[o];
                    boolean f = free(l, o);
                    if (ao > 0) {
                        nh[o] = f ? alpha[l][o] * z : la[l][o] * z + lb[l][o];
                    } else {
                        nh[o] = ua[l][o] * z + ub[l][o];
                    }
                    if (f) {
                        double g = ao > 0 ? ao * z : 0;
                        m1[l][o] = b1 * m1[l][o] + (1 - b1) * g;
                        m2[l][o] = b2 * m2[l][o] + (1 - b2) * g * g;
                        double mh = m1[l][o] / (1 - p1);
                        double vh = m2[l][o] / (1 - p2);
                        if (vh > 0) {
                            double na = alpha[l][o] + ALPHA_LR * mh / (Math.sqrt(vh) + 1e-12);
                            alpha[l][o] = Math.min(1, Math.max(min, na));
                        }
                    }
                }
                h = nh;
            }
        }
        if (bestAlpha != null) {
            alphas.put(key, bestAlpha);
        }
        if (coef != null) {
            System.arraycopy(bestCoef, 0, coef, 0, d);
        }
        if (argmin != null) {
            System.arraycopy(bestArg, 0, argmin, 0, d);
        }
        return best;
    }

    /**
     * A lower bound of {@code c · z} where {@code z} is the pre-activation of layer {@code top} (or, for
     * {@code top == layers}, the output), through the relaxations of layers below.
     */
    /**
     * The linear lower bound itself: fills {@code coef} with its input coefficients and returns its constant, so that
     * {@code c · y >= coef · x + constant} for every input of the box (of the region, with input constraints: the
     * function is valid on the whole box). Callers that combine or re-minimise bounds need this, not a minimum.
     */
    public double linearLowerBound(double[] c, double[] coef) {
        double[] argmin = new double[coef.length];
        double v = alphaSteps <= 0 ? backward(net.layers, c, coef, argmin, null, null, false)
                : optimise(c, coef, argmin, false);
        for (int i = 0; i < coef.length; i++) {
            v -= coef[i] * argmin[i];
        }
        return v;
    }

    double backward(int top, double[] c, double[] coef, double[] argmin) {
        return backward(top, c, coef, argmin, null, null, true);
    }

    /**
     * The minimum of {@code coef · x} over the region (the box, cut by the input constraints when there are any);
     * {@code argmin}, when given, receives the minimising box corner.
     */
    public double minimum(double[] coef, double[] argmin) {
        double v = 0;
        for (int i = 0; i < coef.length; i++) {
            double ai = coef[i];
            v += ai > 0 ? ai * xlo[i] : ai * xhi[i];
            if (argmin != null) {
                argmin[i] = ai > 0 ? xlo[i] : ai < 0 ? xhi[i] : 0.5 * (xlo[i] + xhi[i]);
            }
        }
        return cons.isEmpty() ? v : Math.max(v, InputPolytope.min(coef, xlo, xhi, cons));
    }

    double backward(int top, double[] c, double[] coef, double[] argmin, double[][] alpha, double[][] rec) {
        return backward(top, c, coef, argmin, alpha, rec, true);
    }

    /**
     * As above; with {@code alpha}, unstable neurons whose lower line is used take the lower line
     * {@code alpha[l][o] z} instead of the relaxation's own (valid for every slope in [minLowerSlope, 1]);
     * {@code rec[l]} receives the backward coefficients of layer l's post-activations. With {@code polytope}, the
     * minimum is taken over the region's polytope, else over the box (the linear function itself is the same).
     */
    double backward(int top, double[] c, double[] coef, double[] argmin, double[][] alpha, double[][] rec,
                    boolean polytope) {
        double[] a;
        double cst = 0;
        int from;
        if (top == net.layers) {
            a = c.clone();
            from = net.layers - 1;
        } else {
            // c · z_top = c · (W h + b): start on the post-activation of layer top - 1
            int in = net.sizes[top];
            int out = net.sizes[top + 1];
            a = new double[in];
            double[] w = net.w[top];
            for (int o = 0; o < out; o++) {
                double co = c[o];
                if (co == 0) {
                    continue;
                }
                cst += co * net.b[top][o];
                int wb = o * in;
                for (int i = 0; i < in; i++) {
                    a[i] += co * w[wb + i];
                }
            }
            from = top - 1;
        }
        for (int l = from; l >= 0; l--) {
            int in = net.sizes[l];
            int out = net.sizes[l + 1];
            double[] lal = la[l];
            double[] lbl = lb[l];
            double[] ual = ua[l];
            double[] ubl = ub[l];
            double[] bl = net.b[l];
            double[] w = net.w[l];
            double[] prev = new double[in];
            if (rec != null) {
                rec[l] = a;
            }
            double[] all = alpha == null ? null : alpha[l];
            for (int o = 0; o < out; o++) {
                double ao = a[o];
                if (ao == 0) {
                    continue;
                }
                double az;
                if (ao > 0) {
                    if (all != null && free(l, o)) {
                        az = ao * all[o];
                    } else {
                        az = ao * lal[o];
                        cst += ao * lbl[o];
                    }
                } else {
                    az = ao * ual[o];
                    cst += ao * ubl[o];
                }
                if (az == 0) {
                    continue;
                }
                cst += az * bl[o];
                int wb = o * in;
                for (int i = 0; i < in; i++) {
                    prev[i] += az * w[wb + i];
                }
            }
            a = prev;
        }
        double v = cst;
        for (int i = 0; i < a.length; i++) {
            double ai = a[i];
            v += ai > 0 ? ai * xlo[i] : ai * xhi[i];
            if (argmin != null) {
                argmin[i] = ai > 0 ? xlo[i] : ai < 0 ? xhi[i] : 0.5 * (xlo[i] + xhi[i]);
            }
        }
        if (polytope && !cons.isEmpty()) {
            v = Math.max(v, cst + InputPolytope.min(a, xlo, xhi, cons));
        }
        if (coef != null) {
            System.arraycopy(a, 0, coef, 0, a.length);
        }
        return v;
    }

    /** Pre-activation lower bounds of layer {@code l} (the last layer's are the output bounds). */
    public double[] lower(int l) {
        return lo[l].clone();
    }

    public double[] upper(int l) {
        return hi[l].clone();
    }

    public int layers() {
        return net.layers;
    }
}
