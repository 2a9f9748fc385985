package dev.engram.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The parameters of a {@link ConvNet} being trained, with their gradients and Adam moments, and one example's forward
 * and backward pass. Activations are stored position-major ({@code H·W·C}, channels innermost) so that an im2col row
 * is gathered from contiguous channels; {@link #network()} permutes the first dense layer's inputs into the flatten's
 * {@code C·H·W} order.
 */
final class ConvParams {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;
    private static final int K2 = ConvNet.KERNEL * ConvNet.KERNEL;

    final int convs;
    final int dense;
    /** Per activation of the convolutions ({@code 0} = the input): channels, height, width. */
    final int[] ch;
    final int[] hs;
    final int[] ws;
    /** The flatten's width, then each dense layer's output width. */
    final int[] widths;
    /** All parameters: per convolution weight and bias, then per dense layer weight and bias. */
    final float[][] p;
    final float[][] g;
    final double[][] m;
    final double[][] v;

    ConvParams(int inChannels, int height, int width, int[] channels, int[] hidden, int classes, Random rnd) {
        convs = channels.length;
        dense = hidden.length + 1;
        ch = new int[convs + 1];
        hs = new int[convs + 1];
        ws = new int[convs + 1];
        ch[0] = inChannels;
        hs[0] = height;
        ws[0] = width;
        for (int l = 0; l < convs; l++) {
            ch[l + 1] = channels[l];
            hs[l + 1] = ConvNet.convolved(hs[l]);
            ws[l + 1] = ConvNet.convolved(ws[l]);
        }
        widths = new int[dense + 1];
        widths[0] = ch[convs] * hs[convs] * ws[convs];
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[dense] = classes;
        int n = 2 * (convs + dense);
        p = new float[n][];
        g = new float[n][];
        m = new double[n][];
        v = new double[n][];
        for (int l = 0; l < convs; l++) {
            init(2 * l, ch[l + 1], ch[l] * K2, rnd);
        }
        for (int l = 0; l < dense; l++) {
            init(2 * (convs + l), widths[l + 1], widths[l], rnd);
        }
    }

    /** He-initialised weight {@code [out][in]} at {@code i}, zero bias at {@code i + 1}. */
    private void init(int i, int out, int in, Random rnd) {
        p[i] = new float[out * in];
        double sd = Math.sqrt(2.0 / in);
        for (int k = 0; k < p[i].length; k++) {
            p[i][k] = (float) (rnd.nextGaussian() * sd);
        }
        p[i + 1] = new float[out];
        for (int j = i; j <= i + 1; j++) {
            g[j] = new float[p[j].length];
            m[j] = new double[p[j].length];
            v[j] = new double[p[j].length];
        }
    }

    /** One example's buffers: im2col matrices, activations, and their gradients. */
    static final class Work {
        final float[][] cols;
        final float[][] dcols;
        final float[][] act;
        final float[][] dact;
        final float[][] dense;
        final float[][] delta;

        Work(ConvParams p) {
            cols = new float[p.convs][];
            dcols = new float[p.convs][];
            act = new float[p.convs + 1][];
            dact = new float[p.convs + 1][];
            for (int l = 0; l <= p.convs; l++) {
                act[l] = new float[p.ch[l] * p.hs[l] * p.ws[l]];
                dact[l] = new float[act[l].length];
                if (l < p.convs) {
                    cols[l] = new float[p.hs[l + 1] * p.ws[l + 1] * p.ch[l] * K2];
                    dcols[l] = new float[cols[l].length];
                }
            }
            dense = new float[p.dense + 1][];
            delta = new float[p.dense][];
            dense[0] = act[p.convs];
            for (int l = 1; l <= p.dense; l++) {
                dense[l] = new float[p.widths[l]];
                delta[l - 1] = new float[p.widths[l]];
            }
        }
    }

    Work work() {
        return new Work(this);
    }

    void zeroGradients() {
        for (float[] x : g) {
            Arrays.fill(x, 0);
        }
    }

    /** One example: forward pass, softmax cross-entropy loss (returned), gradients added to {@link #g}. */
    double example(Work w, float[] x, int label) {
        int c0 = ch[0];
        int hw = hs[0] * ws[0];
        for (int c = 0; c < c0; c++) { // C·H·W rows into H·W·C
            for (int q = 0; q < hw; q++) {
                w.act[0][q * c0 + c] = x[c * hw + q];
            }
        }
        for (int l = 0; l < convs; l++) {
            im2col(l, w.act[l], w.cols[l]);
            convForward(l, w.cols[l], w.act[l + 1]);
        }
        for (int l = 0; l < dense; l++) {
            denseForward(l, w.dense[l], w.dense[l + 1], l < dense - 1);
        }
        float[] logits = w.dense[dense];
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        for (float z : logits) {
            sum += Math.exp(z - max);
        }
        double loss = Math.log(sum) + max - logits[label];
        float[] d = w.delta[dense - 1];
        for (int o = 0; o < logits.length; o++) {
            d[o] = (float) (Math.exp(logits[o] - max) / sum - (o == label ? 1 : 0));
        }
        for (int l = dense - 1; l >= 0; l--) {
            denseBackward(l, w.dense[l], w.delta[l], l > 0 ? w.delta[l - 1] : w.dact[convs]);
        }
        for (int l = convs - 1; l >= 0; l--) {
            float[] a = w.act[l + 1];
            float[] da = w.dact[l + 1];
            for (int i = 0; i < a.length; i++) {
                if (a[i] <= 0) {
                    da[i] = 0;
                }
            }
            convBackward(l, w.cols[l], da, l > 0 ? w.dcols[l] : null);
            if (l > 0) {
                col2im(l, w.dcols[l], w.dact[l]);
            }
        }
        return loss;
    }

    /** Rows of 3×3 patches of activation {@code l} (one per output position; zero outside the image). */
    private void im2col(int l, float[] in, float[] cols) {
        int c = ch[l];
        int k = c * K2;
        int oh = hs[l + 1];
        int ow = ws[l + 1];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int row = (y * ow + x) * k;
                for (int ic = 0; ic < c; ic++) {
                    for (int ky = 0; ky < ConvNet.KERNEL; ky++) {
                        int iy = y * ConvNet.STRIDE - ConvNet.PAD + ky;
                        for (int kx = 0; kx < ConvNet.KERNEL; kx++) {
                            int ix = x * ConvNet.STRIDE - ConvNet.PAD + kx;
                            boolean inside = iy >= 0 && iy < hs[l] && ix >= 0 && ix < ws[l];
                            int at = row + ic * K2 + ky * ConvNet.KERNEL + kx;
                            cols[at] = inside ? in[(iy * ws[l] + ix) * c + ic] : 0;
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: patch gradients summed into activation {@code l}'s gradient. */
    private void col2im(int l, float[] dcols, float[] din) {
        Arrays.fill(din, 0);
        int c = ch[l];
        int k = c * K2;
        int oh = hs[l + 1];
        int ow = ws[l + 1];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int row = (y * ow + x) * k;
                for (int ic = 0; ic < c; ic++) {
                    for (int ky = 0; ky < ConvNet.KERNEL; ky++) {
                        int iy = y * ConvNet.STRIDE - ConvNet.PAD + ky;
                        for (int kx = 0; kx < ConvNet.KERNEL; kx++) {
                            int ix = x * ConvNet.STRIDE - ConvNet.PAD + kx;
                            if (iy >= 0 && iy < hs[l] && ix >= 0 && ix < ws[l]) {
                                din[(iy * ws[l] + ix) * c + ic] += dcols[row + ic * K2 + ky * ConvNet.KERNEL + kx];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Convolution {@code l}: the patch rows times the kernel matrix, plus bias, then ReLU. */
    private void convForward(int l, float[] cols, float[] out) {
        float[] wt = p[2 * l];
        float[] b = p[2 * l + 1];
        int oc = ch[l + 1];
        int k = ch[l] * K2;
        int positions = hs[l + 1] * ws[l + 1];
        for (int q = 0; q < positions; q++) {
            int row = q * k;
            for (int o = 0; o < oc; o++) {
                float z = b[o];
                int wo = o * k;
                for (int i = 0; i < k; i++) {
                    z += wt[wo + i] * cols[row + i];
                }
                out[q * oc + o] = Math.max(z, 0f);
            }
        }
    }

    /** Gradients of convolution {@code l} from its output's gradient {@code dz}; patch gradients when asked. */
    private void convBackward(int l, float[] cols, float[] dz, float[] dcols) {
        float[] wt = p[2 * l];
        float[] gw = g[2 * l];
        float[] gb = g[2 * l + 1];
        int oc = ch[l + 1];
        int k = ch[l] * K2;
        int positions = hs[l + 1] * ws[l + 1];
        if (dcols != null) {
            Arrays.fill(dcols, 0);
        }
        for (int q = 0; q < positions; q++) {
            int row = q * k;
            for (int o = 0; o < oc; o++) {
                float d = dz[q * oc + o];
                if (d == 0) {
                    continue;
                }
                gb[o] += d;
                int wo = o * k;
                for (int i = 0; i < k; i++) {
                    gw[wo + i] += d * cols[row + i];
                }
                if (dcols != null) {
                    for (int i = 0; i < k; i++) {
                        dcols[row + i] += d * wt[wo + i];
                    }
                }
            }
        }
    }

    private void denseForward(int l, float[] a, float[] z, boolean relu) {
        float[] wt = p[2 * (convs + l)];
        float[] b = p[2 * (convs + l) + 1];
        int in = widths[l];
        for (int o = 0; o < z.length; o++) {
            float s = b[o];
            int base = o * in;
            for (int i = 0; i < in; i++) {
                s += wt[base + i] * a[i];
            }
            z[o] = relu ? Math.max(s, 0f) : s;
        }
    }

    /** Gradients of dense layer {@code l}; {@code prev} receives the gradient of its input (ReLU-masked if hidden). */
    private void denseBackward(int l, float[] a, float[] d, float[] prev) {
        float[] wt = p[2 * (convs + l)];
        float[] gw = g[2 * (convs + l)];
        float[] gb = g[2 * (convs + l) + 1];
        int in = widths[l];
        Arrays.fill(prev, 0);
        for (int o = 0; o < d.length; o++) {
            float dv = d[o];
            if (dv == 0) {
                continue;
            }
            gb[o] += dv;
            int base = o * in;
            for (int i = 0; i < in; i++) {
                gw[base + i] += dv * a[i];
                prev[i] += dv * wt[base + i];
            }
        }
        if (l > 0) {
            for (int i = 0; i < in; i++) {
                if (a[i] <= 0) {
                    prev[i] = 0;
                }
            }
        }
    }

    /** One Adam step on the mean of the accumulated gradients of {@code count} examples. */
    void adamStep(long step, int count, double learningRate) {
        double inv = 1.0 / count;
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        for (int j = 0; j < p.length; j++) {
            float[] pj = p[j];
            float[] gj = g[j];
            double[] mj = m[j];
            double[] vj = v[j];
            for (int k = 0; k < pj.length; k++) {
                double gk = gj[k] * inv;
                mj[k] = BETA1 * mj[k] + (1 - BETA1) * gk;
                vj[k] = BETA2 * vj[k] + (1 - BETA2) * gk * gk;
                pj[k] -= (float) (learningRate * (mj[k] / c1) / (Math.sqrt(vj[k] / c2) + EPS));
            }
        }
    }

    /** The trained network, its first dense layer's inputs permuted from {@code H·W·C} to the flatten's order. */
    ConvNet network() {
        List<float[]> cw = new ArrayList<>();
        List<float[]> cb = new ArrayList<>();
        for (int l = 0; l < convs; l++) {
            cw.add(p[2 * l].clone());
            cb.add(p[2 * l + 1].clone());
        }
        List<float[]> dw = new ArrayList<>();
        List<float[]> db = new ArrayList<>();
        for (int l = 0; l < dense; l++) {
            dw.add(p[2 * (convs + l)].clone());
            db.add(p[2 * (convs + l) + 1].clone());
        }
        int c = ch[convs];
        int positions = hs[convs] * ws[convs];
        int in = widths[0];
        float[] first = dw.get(0);
        float[] permuted = new float[first.length];
        for (int o = 0; o < widths[1]; o++) {
            for (int q = 0; q < positions; q++) {
                for (int k = 0; k < c; k++) {
                    permuted[o * in + k * positions + q] = first[o * in + q * c + k];
                }
            }
        }
        dw.set(0, permuted);
        return new ConvNet(ch.clone(), hs[0], ws[0], cw, cb, dw, db, widths.clone());
    }
}
