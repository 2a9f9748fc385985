package dev.engram.verify.bounds;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.kernel.RowProducts;

/**
 * A {@link DenseNetwork} prepared for bound propagation: weights widened to double, row-major, with each
 * layer's {@link ActivationRelaxation}. Immutable and shared by all threads of a verification run.
 */
public final class BoundNetwork {
    final int layers;
    final int[] sizes; // sizes[0] = inputs, sizes[l + 1] = outputs of layer l
    final double[][] w; // w[l][o * in + i]
    final double[][] b;
    /** Positive and negative parts of {@link #w} (same layout), for branch-free bound propagation. */
    final double[][] wPos;
    final double[][] wNeg;
    /** Absolute values of {@link #w} (same layout), for the error model's magnitude sums. */
    final double[][] wAbs;
    /** Transposed positive and negative parts: {@code wPosT[l][i * out + o]}, for vectorisable forward loops. */
    final double[][] wPosT;
    final double[][] wNegT;
    /**
     * The transposed positive and negative parts interleaved, padded by {@link RowProducts#PAD}: row {@code 2i} is
     * input i's row of {@link #wPosT}, row {@code 2i + 1} its row of {@link #wNegT} ({@code [(2i + s) * out + o]}),
     * for the symbolic forward layer as one product ({@link Symbolic#through}).
     */
    final double[][] wSignT;
    /** Transposed weights and their absolute values ({@code wT[l][i * out + o]}), same purpose. */
    final double[][] wT;
    final double[][] wAbsT;
    final ActivationRelaxation[] act;
    final String unsupported;
    /** The float32 layers as loaded, for {@link #execute}: transposed weights {@code [i * out + o]}. */
    private final DenseLayer[] dense;
    private final float[][] fT;
    /** Per layer: every weight finite, so a 0 input adds only +-0 to each sum and may be left out. */
    final boolean[] finiteW;

    private BoundNetwork(DenseNetwork net) {
        layers = net.layers().size();
        sizes = new int[layers + 1];
        sizes[0] = net.inputSize();
        w = new double[layers][];
        b = new double[layers][];
        act = new ActivationRelaxation[layers];
        wPos = new double[layers][];
        wNeg = new double[layers][];
        wAbs = new double[layers][];
        wPosT = new double[layers][];
        wNegT = new double[layers][];
        wT = new double[layers][];
        wAbsT = new double[layers][];
        wSignT = new double[layers][];
        dense = net.layers().toArray(new DenseLayer[0]);
        fT = new float[layers][];
        finiteW = new boolean[layers];
        String why = null;
        for (int l = 0; l < layers; l++) {
            DenseLayer d = net.layers().get(l);
            int out = d.bias().length;
            int in = sizes[l];
            sizes[l + 1] = out;
            w[l] = new double[out * in + RowProducts.PAD]; // padded for the vector kernel's last columns
            b[l] = new double[out];
            for (int o = 0; o < out; o++) {
                float[] row = d.weight()[o];
                for (int i = 0; i < in; i++) {
                    w[l][o * in + i] = row[i];
                }
                b[l][o] = d.bias()[o];
            }
            wPos[l] = new double[out * in];
            wNeg[l] = new double[out * in];
            wAbs[l] = new double[out * in];
            boolean finite = true;
            for (int k = 0; k < out * in; k++) {
                double v = w[l][k];
                wPos[l][k] = v > 0 ? v : 0;
                wNeg[l][k] = v < 0 ? v : 0;
                wAbs[l][k] = Math.abs(v);
                finite &= Double.isFinite(v);
            }
            finiteW[l] = finite;
            for (double v : b[l]) {
                finite &= Double.isFinite(v);
            }
            if (!finite && why == null) {
                why = "layer " + d.name() + " has a non-finite weight or bias";
            }
            wPosT[l] = new double[out * in];
            wNegT[l] = new double[out * in];
            wT[l] = new double[out * in];
            wAbsT[l] = new double[out * in];
            fT[l] = new float[out * in];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    fT[l][i * out + o] = d.weight()[o][i];
                    wPosT[l][i * out + o] = wPos[l][o * in + i];
                    wNegT[l][i * out + o] = wNeg[l][o * in + i];
                    wT[l][i * out + o] = w[l][o * in + i];
                    wAbsT[l][i * out + o] = wAbs[l][o * in + i];
                }
            }
            wSignT[l] = new double[2 * in * out + RowProducts.PAD];
            for (int i = 0; i < in; i++) {
                System.arraycopy(wPosT[l], i * out, wSignT[l], 2 * i * out, out);
                System.arraycopy(wNegT[l], i * out, wSignT[l], (2 * i + 1) * out, out);
            }
            act[l] = ActivationRelaxation.of(d.activation(), d.alpha());
            if (act[l] == null && why == null) {
                why = "layer " + d.name() + ": activation " + d.activation() + " has no linear relaxation yet";
            }
        }
        unsupported = why;
    }

    public static BoundNetwork of(DenseNetwork net) {
        return new BoundNetwork(net);
    }

    /** Why this network cannot be bounded, or null when it can. */
    public String unsupported() {
        return unsupported;
    }

    public int layers() {
        return layers;
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[layers];
    }

    /**
     * Layer {@code l}'s pre-activations {@code W h + b} in double: each output's sum starts at its bias and runs over
     * the inputs in order, as axpy loops over the outputs (the transposed weights, which the JIT vectorises), inputs
     * that are 0 left out (the weights are finite).
     */
    double[] affine(int l, double[] h) {
        int in = sizes[l];
        int out = sizes[l + 1];
        double[] z = b[l].clone();
        double[] wt = wT[l];
        for (int i = 0; i < in; i++) {
            double hi = h[i];
            if (hi == 0) {
                continue; // its terms are +-0 and change no sum (an inactive ReLU: about half the inputs)
            }
            int base = i * out;
            for (int o = 0; o < out; o++) {
                z[o] += wt[base + o] * hi;
            }
        }
        return z;
    }

    /**
     * The network executed in float32 exactly as {@link DenseNetwork#evaluate} defines it, bit for bit: each output's
     * float sum starts at +0 and adds {@code w_oi · x_i} (a float product, then a float add) over the inputs in order,
     * then the bias, then the activation. Here as axpy loops over the outputs (the transposed weights, which the JIT
     * vectorises; each output's sum is still the same sequence of roundings), where the reference's dot products form
     * one chain of dependent additions. Inputs that are 0 are left out when the layer's weights are finite (their
     * products are +-0, and adding +-0 to a sum that starts at +0 never changes it).
     */
    public float[] execute(float[] input) {
        if (input.length != sizes[0]) {
            throw new IllegalArgumentException("expected " + sizes[0] + " inputs, got " + input.length);
        }
        float[] x = input;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            float[] s = new float[out];
            float[] wt = fT[l];
            boolean skip = finiteW[l];
            for (int i = 0; i < in; i++) {
                float xi = x[i];
                if (skip && xi == 0) {
                    continue;
                }
                int base = i * out;
                for (int o = 0; o < out; o++) {
                    s[o] += wt[base + o] * xi;
                }
            }
            DenseLayer d = dense[l];
            float[] bias = d.bias();
            for (int o = 0; o < out; o++) {
                s[o] = (float) d.activation().apply(s[o] + bias[o], d.alpha());
            }
            x = s;
        }
        return x;
    }

    /** Exact (double) forward pass. */
    public double[] evaluate(double[] x) {
        double[] h = x;
        for (int l = 0; l < layers; l++) {
            int out = sizes[l + 1];
            double[] z = affine(l, h);
            for (int o = 0; o < out; o++) {
                z[o] = act[l].apply(z[o]);
            }
            h = z;
        }
        return h;
    }

    /**
     * Gradient of {@code c · y(x)} with respect to {@code x} (a subgradient at kinks), for gradient-based
     * falsification.
     */
    public double[] gradient(double[] x, double[] c) {
        return gradient(preActivations(x), c);
    }

    /** Every layer's pre-activations at {@code x} in double (the values {@link #evaluate} computes on the way). */
    public double[][] preActivations(double[] x) {
        double[][] pre = new double[layers][];
        double[] h = x;
        for (int l = 0; l < layers; l++) {
            int out = sizes[l + 1];
            double[] z = affine(l, h);
            double[] post = new double[out];
            for (int o = 0; o < out; o++) {
                post[o] = act[l].apply(z[o]);
            }
            pre[l] = z;
            h = post;
        }
        return pre;
    }

    /** The outputs for {@link #preActivations} {@code pre}: {@link #evaluate}'s value at the same point. */
    public double[] outputs(double[][] pre) {
        double[] z = pre[layers - 1];
        double[] y = new double[z.length];
        for (int o = 0; o < y.length; o++) {
            y[o] = act[layers - 1].apply(z[o]);
        }
        return y;
    }

    /** {@link #gradient(double[], double[])} at the point whose {@link #preActivations} are {@code pre}. */
    public double[] gradient(double[][] pre, double[] c) {
        double[] g = c.clone();
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            for (int o = 0; o < out; o++) {
                g[o] *= act[l].slope(pre[l][o]);
            }
            double[] gi = new double[in];
            for (int o = 0; o < out; o++) {
                double go = g[o];
                if (go == 0) {
                    continue;
                }
                int base = o * in;
                for (int i = 0; i < in; i++) {
                    gi[i] += go * w[l][base + i];
                }
            }
            g = gi;
        }
        return g;
    }
}
