package dev.engram.lower.points;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.List;

/**
 * The network at one input with every activation pattern from layer {@code at} on held fixed: then the output is
 * affine in the change {@code t} of layer {@code at}'s pre-activations (APRNN's linearisation, Tao et al., PLDI 2023):
 * {@code z_k(t) = z_k + J_k (D ∘ t)} for every later layer {@code k}, with {@code D} the slopes of layer {@code at}'s
 * activation at {@code z}, {@code J_{at+1} = W_{at+1}} and {@code J_{k+1} = W_{k+1} diag(D_k) J_k}. The layers before
 * {@code at} are not changed, so their output {@code in} is computed in float32 exactly as the network runs; the rest
 * in double.
 *
 * @param in    the input of layer {@code at} (float32 execution of the layers before)
 * @param pre   {@code pre[k - at]}: layer {@code k}'s pre-activations, {@code k = at .. L}
 * @param slope {@code slope[k - at]}: the activation's slope at them (hidden layers only)
 * @param jac   {@code jac[k - at]} for {@code k > at}: {@code J_k} (null where not kept: only the output's is kept
 *              unless asked)
 */
record Linearised(int at, double[] in, double[][] pre, double[][] slope, double[][][] jac) {

    /** True when every layer from {@code at} to the last hidden one is piecewise linear with one breakpoint at 0. */
    static boolean supports(DenseNetwork net, int at) {
        List<DenseLayer> layers = net.layers();
        for (int k = at; k < layers.size() - 1; k++) {
            Activation a = layers.get(k).activation();
            if (a != Activation.RELU && a != Activation.LEAKY_RELU && a != Activation.IDENTITY) {
                return false;
            }
        }
        return true;
    }

    /** The linearisation at the layer-{@code at} input {@code in}; {@code all}: keep every layer's Jacobian. */
    static Linearised at(DenseNetwork net, int at, float[] in, boolean all) {
        List<DenseLayer> layers = net.layers();
        int depth = layers.size() - at;
        double[][] pre = new double[depth][];
        double[][] slope = new double[depth][];
        double[][][] jac = new double[depth][][];
        double[] a = KeepSet.toDouble(in);
        double[][] j = null;
        for (int k = at; k < layers.size(); k++) {
            DenseLayer l = layers.get(k);
            double[] z = PointRepair.logits(l, a, null);
            pre[k - at] = z;
            if (k > at) {
                j = k == at + 1 ? toDouble(l.weight()) : times(l.weight(), slope[k - at - 1], j);
                if (all || k == layers.size() - 1) {
                    jac[k - at] = j;
                }
            }
            if (k < layers.size() - 1) {
                double[] s = new double[z.length];
                a = new double[z.length];
                for (int i = 0; i < z.length; i++) {
                    s[i] = slope(l, z[i]);
                    a[i] = l.activation().apply(z[i], l.alpha());
                }
                slope[k - at] = s;
            }
        }
        return new Linearised(at, KeepSet.toDouble(in), pre, slope, jac);
    }

    /** The output layer's pre-activations. */
    double[] logits() {
        return pre[pre.length - 1];
    }

    /**
     * The coefficients of {@code t} (layer {@code at}'s pre-activation change) in {@code z_k[n] − z_k[m]} ({@code m}
     * negative: {@code z_k[n]} alone).
     */
    double[] coefficients(int k, int n, int m) {
        double[][] jk = jac[k - at];
        double[] d = slope[0];
        double[] c = new double[d.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = (jk[n][i] - (m < 0 ? 0 : jk[m][i])) * d[i];
        }
        return c;
    }

    static double slope(DenseLayer l, double z) {
        return switch (l.activation()) {
            case IDENTITY -> 1;
            case RELU -> z > 0 ? 1 : 0;
            case LEAKY_RELU -> z > 0 ? 1 : l.alpha();
            default -> throw new IllegalArgumentException(l.name() + ": " + l.activation()
                    + " is not piecewise linear");
        };
    }

    /** {@code W diag(s) J}. */
    private static double[][] times(float[][] w, double[] s, double[][] j) {
        int cols = j[0].length;
        double[][] r = new double[w.length][cols];
        for (int o = 0; o < w.length; o++) {
            double[] ro = r[o];
            for (int i = 0; i < s.length; i++) {
                double c = w[o][i] * s[i];
                if (c == 0) {
                    continue;
                }
                double[] ji = j[i];
                for (int q = 0; q < cols; q++) {
                    ro[q] += c * ji[q];
                }
            }
        }
        return r;
    }

    private static double[][] toDouble(float[][] w) {
        double[][] r = new double[w.length][];
        for (int o = 0; o < w.length; o++) {
            r[o] = KeepSet.toDouble(w[o]);
        }
        return r;
    }
}
