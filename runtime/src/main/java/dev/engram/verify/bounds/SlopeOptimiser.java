package dev.engram.verify.bounds;

import java.util.Arrays;

/**
 * α-CROWN for one objective: projected (Adam) gradient ascent on the lower slopes of the unstable neurons. With the
 * relaxation lines fixed, the backward pass's bound is {@code c·g(x*)} for the affine network g of the chosen lines
 * and its minimising corner x*; its derivative in the slope of neuron o of layer l is {@code a_lo · z_lo(x*)}
 * ({@code a_lo} the backward coefficient of the neuron's output, {@code z_lo} its pre-activation at x* in g) where
 * the lower line is used, and 0 elsewhere. The gradient only steers the search: every slope in the valid range
 * gives a sound bound, which {@link LinearBounds#backward} computes with its error terms.
 */
final class SlopeOptimiser {
    /** Step size (Adam) of the slope optimisation. */
    static final double ALPHA_LR = Double.parseDouble(System.getProperty("engram.verify.alphaLr", "0.25"));
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;

    /** An objective vector compared by value (key of the slope warm starts). */
    record Objective(double[] c) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Objective other && Arrays.equals(c, other.c);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(c);
        }
    }

    private SlopeOptimiser() {
    }

    /**
     * The best lower bound function of {@code c · y} found over {@code r.alphaSteps} steps, judged by its minimum
     * over the region (the plain relaxation is a candidate too, so it is never looser than plain CROWN's); its
     * minimising box corner goes to {@code argmin}. The best slopes are kept as warm starts for the children. Stops
     * early once that minimum exceeds {@code target} by a margin (the caller's refutation needs no more).
     */
    static LinearBounds.Linear optimise(LinearBounds r, double[] c, double[] argmin, double target) {
        double enough = target + 1e-9 * (1 + Math.abs(target));
        BoundNetwork net = r.net;
        int layers = net.layers;
        Objective key = new Objective(c.clone());
        double[][] alpha = start(r, key);
        LinearBounds.Linear best = r.backward(layers, c, null, null);
        double bestValue = r.value(best, argmin, true);
        if (alpha == null) {
            return best;
        }
        double[][] m1 = new double[layers][];
        double[][] m2 = new double[layers][];
        for (int l = 0; l < layers; l++) {
            m1[l] = new double[alpha[l].length];
            m2[l] = new double[alpha[l].length];
        }
        double[][] rec = new double[layers][];
        double[] x = new double[argmin.length];
        double[][] bestAlpha = null;
        double p1 = 1;
        double p2 = 1;
        for (int t = 0; ; t++) {
            LinearBounds.Linear f = r.backward(layers, c, alpha, rec);
            double v = r.value(f, x, true);
            if (v > bestValue) {
                bestValue = v;
                best = f;
                System.arraycopy(x, 0, argmin, 0, x.length);
                bestAlpha = new double[layers][];
                for (int l = 0; l < layers; l++) {
                    bestAlpha[l] = alpha[l].clone();
                }
            }
            if (t == r.alphaSteps || bestValue > enough) {
                break;
            }
            r.deadline.check();
            p1 *= B1;
            p2 *= B2;
            step(r, alpha, rec, x, m1, m2, p1, p2);
        }
        if (bestAlpha != null) {
            r.alphas.put(key, bestAlpha);
        }
        return best;
    }

    /** The starting slopes: the warm start for the objective, else the relaxation's own; null when none is free. */
    private static double[][] start(LinearBounds r, Objective key) {
        double[][] warm = r.alphas.get(key);
        if (warm == null && r.parentAlphas != null) {
            warm = r.parentAlphas.get(key);
        }
        BoundNetwork net = r.net;
        double[][] alpha = new double[net.layers][];
        boolean any = false;
        for (int l = 0; l < net.layers; l++) {
            int out = net.sizes[l + 1];
            alpha[l] = new double[out];
            double min = net.act[l].minLowerSlope();
            for (int o = 0; o < out; o++) {
                if (r.free(l, o)) {
                    any = true;
                    double v = warm != null && warm[l] != null ? warm[l][o] : r.la[l][o];
                    alpha[l][o] = Math.min(1, Math.max(min, v));
                }
            }
        }
        return any ? alpha : null;
    }

    /** One Adam step on the slopes, from the affine network of the chosen lines evaluated at {@code x}. */
    private static void step(LinearBounds r, double[][] alpha, double[][] rec, double[] x, double[][] m1,
                             double[][] m2, double p1, double p2) {
        BoundNetwork net = r.net;
        double[] h = x;
        for (int l = 0; l < net.layers; l++) {
            int out = net.sizes[l + 1];
            double[] a = rec[l];
            double[] nh = new double[out];
            double min = net.act[l].minLowerSlope();
            double[] zs = net.affine(l, h);
            for (int o = 0; o < out; o++) {
                double z = zs[o];
                double ao = a[o];
                boolean f = r.free(l, o);
                if (ao > 0) {
                    nh[o] = f ? alpha[l][o] * z : r.la[l][o] * z + r.lb[l][o];
                } else {
                    nh[o] = r.ua[l][o] * z + r.ub[l][o];
                }
                if (f) {
                    double g = ao > 0 ? ao * z : 0;
                    m1[l][o] = B1 * m1[l][o] + (1 - B1) * g;
                    m2[l][o] = B2 * m2[l][o] + (1 - B2) * g * g;
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
}
