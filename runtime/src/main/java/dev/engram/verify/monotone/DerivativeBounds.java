package dev.engram.verify.monotone;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.Rounding;

/**
 * Sound bounds, over one input box, of the partial derivative {@code ∂(a·y)/∂x_s} of a dense network in real
 * arithmetic, and of its float32 evaluation error.
 *
 * <p><b>Derivative.</b> Given bounds {@code [l, u]} of every pre-activation over the box (from the verifier's
 * bounds, which contain the real and every executed value), each ReLU's derivative lies in {@code {1}} when
 * {@code l >= 0} (there the ReLU is the identity), {@code {0}} when {@code u <= 0} (there it is 0), else in
 * {@code [0, 1]}; a leaky ReLU's in {@code {1}}, {@code {α}} or the hull of both; the identity's is 1. The Jacobian
 * column is then bounded by interval arithmetic, forwards from {@code W_1[:, s]} and backwards from {@code a·W_L},
 * keeping the tighter end of each. Every interval sum is widened by its double rounding error,
 * {@code γ_{n+1} Σ |terms|} plus an underflow allowance ({@link Rounding}). On every linear piece of the network
 * met by a segment along {@code x_s} inside the box, the derivative lies in these bounds; the function is
 * continuous and piecewise linear, so a lower bound {@code >= 0} makes {@code a·y} non-decreasing along the segment.
 *
 * <p><b>Float32 error.</b> With {@code ε_l} the error model's bound of one dense layer's rounding
 * ({@code docs/verifier.md}: {@code γ_{n+1}(|W|(m + ρ) + |b|) + |W|ρ + (2n+2)τ}, {@code n} the unit's non-zero
 * weights: a zero weight's product is an exact zero, and adding it rounds nothing), the executed pre-activations
 * differ from the real ones by at most {@code Δ_l = |W_l| Δ_{l-1} + ε_l} (ReLU and leaky ReLU with {@code α <= 1}
 * are 1-Lipschitz), so {@code |a·ŷ − a·y| <= |a|·Δ_L =: E} at every input of the box.
 */
public record DerivativeBounds(double lo, double hi, double[] hiddenLo, double[] hiddenHi, double error) {

    /**
     * The bounds over a box {@code [xlo, xhi]} whose pre-activation bounds are {@code zlo[l], zhi[l]} (layer
     * {@code l}; the last is the output layer). {@code hiddenLo/Hi} bound the derivative of the last hidden layer's
     * activations (of the inputs when there is no hidden layer). Null when an activation is not piecewise linear.
     */
    public static DerivativeBounds of(DenseNetwork net, double[][] zlo, double[][] zhi, double[] xlo, double[] xhi,
                                      int slot, double[] objective) {
        int layers = net.layers().size();
        for (int l = 0; l < layers - 1; l++) {
            if (slopes(net.layers().get(l)) == null) {
                return null;
            }
        }
        double[][] slo = zlo.clone();
        double[][] shi = zhi.clone();
        if (layers > 1) {
            double[][] first = realFirstLayer(net.layers().get(0), zlo[0], zhi[0], xlo, xhi);
            slo[0] = first[0];
            shi[0] = first[1];
        }
        double[][] hidden = forward(net, slo, shi, slot);
        double[][] v = row(objective, net.layers().get(layers - 1));
        double[] fwd = dot(v[0], v[1], hidden[0], hidden[1]);
        double[] bwd = backward(net, slo, shi, slot, v);
        double e = error(net, zlo, zhi, xlo, xhi, objective);
        return new DerivativeBounds(Math.max(fwd[0], bwd[0]), Math.min(fwd[1], bwd[1]), hidden[0], hidden[1], e);
    }

    /**
     * The first layer's pre-activation bounds in real arithmetic: the executed bounds {@code [zlo, zhi]} (which contain
     * the real values) intersected, for the units they leave unstable by a small amount, with the exact range of
     * {@code w·x + b} over the box, computed in {@code BigDecimal} and rounded outwards. A ReLU whose threshold sits on a
     * face of the region (a guard's ramp {@code relu(lo − x)}) is then seen as inactive, where the float32 error slack
     * of the executed bounds would leave its sign open.
     */
    static double[][] realFirstLayer(DenseLayer first, double[] zlo, double[] zhi, double[] xlo, double[] xhi) {
        double[] lo = zlo.clone();
        double[] hi = zhi.clone();
        for (int o = 0; o < lo.length; o++) {
            double near = 1e-3 * (1 + Math.max(Math.abs(lo[o]), Math.abs(hi[o])));
            if (!(lo[o] < 0 && hi[o] > 0 && Math.min(-lo[o], hi[o]) <= near)) {
                continue;
            }
            java.math.BigDecimal l = new java.math.BigDecimal(first.bias()[o]);
            java.math.BigDecimal h = l;
            float[] w = first.weight()[o];
            for (int i = 0; i < w.length; i++) {
                if (w[i] != 0) {
                    java.math.BigDecimal wi = new java.math.BigDecimal(w[i]);
                    java.math.BigDecimal a = wi.multiply(new java.math.BigDecimal(xlo[i]));
                    java.math.BigDecimal b = wi.multiply(new java.math.BigDecimal(xhi[i]));
                    l = l.add(a.min(b));
                    h = h.add(a.max(b));
                }
            }
            lo[o] = Math.max(lo[o], down(l));
            hi[o] = Math.min(hi[o], up(h));
        }
        return new double[][] {lo, hi};
    }

    private static double down(java.math.BigDecimal v) {
        double d = v.doubleValue();
        return new java.math.BigDecimal(d).compareTo(v) > 0 ? Math.nextDown(d) : d;
    }

    private static double up(java.math.BigDecimal v) {
        double d = v.doubleValue();
        return new java.math.BigDecimal(d).compareTo(v) < 0 ? Math.nextUp(d) : d;
    }

    /** True when the derivative is proved non-negative over the box. */
    public boolean nonNegative() {
        return lo >= 0;
    }

    /** The activation's derivative range {@code [lowest, highest]} (null when not piecewise linear). */
    static double[] slopes(DenseLayer layer) {
        if (layer.activation() == Activation.IDENTITY) {
            return new double[] {1, 1};
        }
        if (layer.activation() == Activation.RELU) {
            return new double[] {0, 1};
        }
        if (layer.activation() == Activation.LEAKY_RELU && layer.alpha() >= 0 && layer.alpha() <= 1) {
            return new double[] {layer.alpha(), 1};
        }
        return null;
    }

    /** The derivative range of unit {@code o} of {@code layer} where its pre-activation lies in {@code [l, u]}. */
    private static double[] slope(DenseLayer layer, double l, double u) {
        double[] s = slopes(layer);
        if (s[0] == s[1] || l >= 0) {
            return new double[] {1, 1};
        }
        if (u <= 0) {
            return new double[] {s[0], s[0]};
        }
        return s;
    }

    /** Bounds of the last hidden layer's activation derivatives, forwards from {@code W_1[:, slot]}. */
    static double[][] forward(DenseNetwork net, double[][] zlo, double[][] zhi, int slot) {
        int layers = net.layers().size();
        if (layers == 1) {
            double[] e = new double[net.inputSize()];
            e[slot] = 1;
            return new double[][] {e, e.clone()};
        }
        DenseLayer first = net.layers().get(0);
        double[] glo = new double[first.outputSize()];
        double[] ghi = new double[glo.length];
        for (int o = 0; o < glo.length; o++) {
            glo[o] = first.weight()[o][slot];
            ghi[o] = glo[o];
        }
        for (int l = 0; ; l++) {
            DenseLayer layer = net.layers().get(l);
            for (int o = 0; o < glo.length; o++) {
                double[] d = slope(layer, zlo[l][o], zhi[l][o]);
                double[] p = mulNonNegative(glo[o], ghi[o], d[0], d[1]);
                glo[o] = p[0];
                ghi[o] = p[1];
            }
            if (l == layers - 2) {
                return new double[][] {glo, ghi};
            }
            double[][] next = matVec(net.layers().get(l + 1).weight(), glo, ghi);
            glo = next[0];
            ghi = next[1];
        }
    }

    /** The row {@code a · W_L} with its rounding: {@code [v − s, v + s]} (a sum of terms of one sign keeps it). */
    static double[][] row(double[] a, DenseLayer last) {
        int n = last.inputSize();
        double[] lo = new double[n];
        double[] hi = new double[n];
        double[] col = new double[a.length];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < a.length; k++) {
                col[k] = last.weight()[k][j];
            }
            double[] r = dot(a, a, col, col);
            lo[j] = r[0];
            hi[j] = r[1];
        }
        return new double[][] {lo, hi};
    }

    /** Backwards from {@code a·W_L} through every hidden layer down to input {@code slot}. */
    private static double[] backward(DenseNetwork net, double[][] zlo, double[][] zhi, int slot, double[][] v) {
        int layers = net.layers().size();
        if (layers == 1) {
            return new double[] {v[0][slot], v[1][slot]};
        }
        double[] rlo = v[0].clone();
        double[] rhi = v[1].clone();
        for (int l = layers - 2; l >= 0; l--) {
            DenseLayer layer = net.layers().get(l);
            for (int o = 0; o < rlo.length; o++) {
                double[] d = slope(layer, zlo[l][o], zhi[l][o]);
                double[] p = mulNonNegative(rlo[o], rhi[o], d[0], d[1]);
                rlo[o] = p[0];
                rhi[o] = p[1];
            }
            float[][] w = layer.weight();
            if (l == 0) {
                double[] col = new double[w.length];
                for (int o = 0; o < col.length; o++) {
                    col[o] = w[o][slot];
                }
                return dot(col, col, rlo, rhi);
            }
            double[][] prev = vecMat(rlo, rhi, w);
            rlo = prev[0];
            rhi = prev[1];
        }
        throw new IllegalStateException("unreachable");
    }

    /** {@code [glo, ghi] · [dl, du]} for {@code 0 <= dl <= du} (each product rounded outwards). */
    private static double[] mulNonNegative(double glo, double ghi, double dl, double du) {
        double lo = glo >= 0 ? glo * dl : glo * du;
        double hi = ghi >= 0 ? ghi * du : ghi * dl;
        boolean exact = (dl == 0 || dl == 1) && (du == 0 || du == 1);
        return exact ? new double[] {lo, hi} : new double[] {Math.nextDown(lo), Math.nextUp(hi)};
    }

    /** {@code W · [lo, hi]} for a point matrix (rows = outputs), widened by its rounding. */
    private static double[][] matVec(float[][] w, double[] lo, double[] hi) {
        double[] olo = new double[w.length];
        double[] ohi = new double[w.length];
        for (int o = 0; o < w.length; o++) {
            double[] r = dot(toDouble(w[o]), toDouble(w[o]), lo, hi);
            olo[o] = r[0];
            ohi[o] = r[1];
        }
        return new double[][] {olo, ohi};
    }

    /** {@code [lo, hi] · W} (a row vector over W's rows times W), widened by its rounding. */
    private static double[][] vecMat(double[] lo, double[] hi, float[][] w) {
        int in = w[0].length;
        double[] olo = new double[in];
        double[] ohi = new double[in];
        double[] col = new double[w.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < w.length; o++) {
                col[o] = w[o][i];
            }
            double[] r = dot(col, col, lo, hi);
            olo[i] = r[0];
            ohi[i] = r[1];
        }
        return new double[][] {olo, ohi};
    }

    /** {@code Σ_j [alo_j, ahi_j] · [blo_j, bhi_j]}, widened by the rounding of its products and sum. */
    static double[] dot(double[] alo, double[] ahi, double[] blo, double[] bhi) {
        double lo = 0;
        double hi = 0;
        double mag = 0;
        boolean lowSigns = true;
        boolean highSigns = true;
        for (int j = 0; j < alo.length; j++) {
            if (alo[j] == 0 && ahi[j] == 0 || blo[j] == 0 && bhi[j] == 0) {
                continue;
            }
            double p1 = alo[j] * blo[j];
            double p2 = alo[j] * bhi[j];
            double p3 = ahi[j] * blo[j];
            double p4 = ahi[j] * bhi[j];
            double pl = Math.min(Math.min(p1, p2), Math.min(p3, p4));
            double ph = Math.max(Math.max(p1, p2), Math.max(p3, p4));
            lo += pl;
            hi += ph;
            // by the factors' signs, not the products' (a negative product may underflow to -0.0)
            lowSigns &= sign(alo[j], blo[j]) >= 0 && sign(alo[j], bhi[j]) >= 0 && sign(ahi[j], blo[j]) >= 0
                    && sign(ahi[j], bhi[j]) >= 0;
            highSigns &= sign(alo[j], blo[j]) <= 0 && sign(alo[j], bhi[j]) <= 0 && sign(ahi[j], blo[j]) <= 0
                    && sign(ahi[j], bhi[j]) <= 0;
            mag += Math.max(Math.max(Math.abs(p1), Math.abs(p2)), Math.max(Math.abs(p3), Math.abs(p4)));
        }
        double slack = Rounding.up(Rounding.gamma(alo.length + 1) * mag + Rounding.TINY * (1 + mag), alo.length);
        // a sum of non-negative (non-positive) products is non-negative (non-positive) exactly: rounding keeps signs
        return new double[] {lowSigns ? Math.max(0, lo - slack) : lo - slack,
            highSigns ? Math.min(0, hi + slack) : hi + slack};
    }

    /** The sign of the exact product {@code x·y}. */
    private static int sign(double x, double y) {
        return x == 0 || y == 0 ? 0 : (x > 0) == (y > 0) ? 1 : -1;
    }

    /** {@code E}: a bound of {@code |a·ŷ − a·y|} over the box (infinite when float32 overflow is possible). */
    static double error(DenseNetwork net, double[][] zlo, double[][] zhi, double[] xlo, double[] xhi, double[] a) {
        int inputs = net.inputSize();
        double[] m = new double[inputs];
        double[] rho = new double[inputs];
        for (int i = 0; i < inputs; i++) {
            m[i] = Math.max(Math.abs(xlo[i]), Math.abs(xhi[i]));
            rho[i] = Math.nextUp(Rounding.F32_U * m[i] + Rounding.F32_TINY);
        }
        double[] delta = new double[inputs];
        for (int l = 0; l < net.layers().size(); l++) {
            DenseLayer layer = net.layers().get(l);
            int n = layer.inputSize();
            double[] next = new double[layer.outputSize()];
            for (int o = 0; o < next.length; o++) {
                double sumMag = 0;
                double sumRho = 0;
                double prop = 0;
                int terms = 0; // a zero weight adds an exact zero: it rounds nothing
                for (int i = 0; i < n; i++) {
                    double w = Math.abs(layer.weight()[o][i]);
                    sumMag += w * m[i];
                    sumRho += w * rho[i];
                    prop += w * delta[i];
                    terms += w != 0 ? 1 : 0;
                }
                double total = sumMag + sumRho + Math.abs(layer.bias()[o]);
                if (!(total < Rounding.F32_SAFE_MAX)) {
                    return Double.POSITIVE_INFINITY;
                }
                double eps = Rounding.gamma32(terms + 1) * total + sumRho + (2.0 * terms + 2) * Rounding.F32_TINY;
                if (reluAfterRelu(net, l) && oneSigned(layer.weight()[o], m)) {
                    double b = Math.abs(layer.bias()[o]);
                    eps = Math.min(eps, Rounding.gamma32(terms + 1) * (Math.max(zhi[l][o], 0) + eps + 2 * b)
                            + (2.0 * terms + 2) * Rounding.F32_TINY);
                }
                next[o] = Rounding.up(prop + eps, 3L * n + 4);
            }
            delta = next;
            if (l < net.layers().size() - 1) {
                m = new double[next.length];
                rho = new double[next.length];
                for (int o = 0; o < next.length; o++) {
                    double alpha = layer.activation() == Activation.LEAKY_RELU ? layer.alpha() : 0;
                    double top = Math.max(Math.abs(zlo[l][o]), Math.abs(zhi[l][o]));
                    m[o] = layer.activation() == Activation.RELU ? Math.max(0, zhi[l][o]) : top;
                    rho[o] = alpha == 0 ? 0 : Math.nextUp(Rounding.F32_U * alpha * top + Rounding.F32_TINY);
                    if (layer.activation() == Activation.RELU && zhi[l][o] <= 0) {
                        delta[o] = 0; // every execution and the real value are <= 0: the ReLU gives exactly 0
                    }
                }
            }
        }
        double e = 0;
        for (int k = 0; k < a.length; k++) {
            e += Math.abs(a[k]) * delta[k];
        }
        return Rounding.up(e, a.length);
    }

    /** True when layer {@code l} is a hidden ReLU layer fed by a ReLU layer (its inputs are >= 0, executed too). */
    private static boolean reluAfterRelu(DenseNetwork net, int l) {
        return l > 0 && l < net.layers().size() - 1 && net.layers().get(l).activation() == Activation.RELU
                && net.layers().get(l - 1).activation() == Activation.RELU;
    }

    /**
     * True when every weight of {@code row} on an input that may be non-zero ({@code m_i > 0}) has one sign. Then, with
     * inputs {@code >= 0}, {@code Σ|w_i| ĥ_i = |z' − b|} for the executed inputs' exact sum {@code z' = w·ĥ + b}, so
     * the rounding is at most {@code γ_{n+1}(|z'| + 2|b|)}, and after the ReLU at most
     * {@code γ_{n+1}(max(z', 0) + 2|b|)}: where {@code z' < 0}, {@code ẑ <= (1 − γ) z' + 2γ|b|}. With
     * {@code z' <= zhi + ε} this bounds the unit's own error by its output's size, not its inputs' (a guard's
     * conjunction of ramps, far from its region, has large inputs and an output of 0).
     */
    private static boolean oneSigned(float[] row, double[] m) {
        boolean pos = false;
        boolean neg = false;
        for (int i = 0; i < row.length; i++) {
            if (m[i] > 0) {
                pos |= row[i] > 0;
                neg |= row[i] < 0;
            }
        }
        return !(pos && neg);
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
