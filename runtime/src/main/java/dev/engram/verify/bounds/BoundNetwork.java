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
    /** Transposed weights and their absolute values ({@code wT[l][i * out + o]}), same purpose. */
    final double[][] wT;
    final double[][] wAbsT;
    final ActivationRelaxation[] act;
    final String unsupported;

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
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    wPosT[l][i * out + o] = wPos[l][o * in + i];
                    wNegT[l][i * out + o] = wNeg[l][o * in + i];
                    wT[l][i * out + o] = w[l][o * in + i];
                    wAbsT[l][i * out + o] = wAbs[l][o * in + i];
                }
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
