package dev.engram.verify.graph;

import dev.engram.model.dag.Conv;
import dev.engram.model.dag.Window;

/**
 * A convolution's point map {@code x ↦ W∗x + b} in double for {@link ConvBound} (the relaxed points of
 * {@link RelaxedPoints}): the point's patches gathered once per sample and group ({@code col[p][k]}, the
 * input element term k of output position p reads, or 0 at a padding position), then each output the dot product of
 * its channel's weights and its position's patch, k in order, two channels by two positions at a time: four
 * independent sums over contiguous rows instead of one dependent chain of gathered terms per output.
 *
 * <p>Value for value the same as {@link SparseAffine#apply(double[])} on the map {@link ConvBound} builds, for a
 * finite point: each output adds the same products in the same order (k is the index's term order
 * {@code (ci, kh, kw)}). At a padding position the index adds {@code 0 · x[0]} and this {@code W · 0}: both a zero,
 * added to a sum that is never −0 (it starts at +0, and a sum is −0 only when both terms are), which changes nothing.
 * Immutable.
 */
final class ConvPoints {
    private final int batch;
    private final int cout;
    private final int groups;
    private final int cg;
    private final int coutG;
    private final int k;
    private final int pos;
    private final double[] weight; // [cout][k]
    private final double[] bias; // [cout] or null
    /** Per group: {@code [pos][k]} the input element (within a sample) term k of position p reads, or −1. */
    private final int[][] cols;

    ConvPoints(Conv conv) {
        Window win = conv.window();
        batch = conv.input().dim(0);
        cout = conv.shape().dim(1);
        groups = conv.group();
        cg = conv.input().dim(1) / groups;
        coutG = cout / groups;
        k = cg * win.kH() * win.kW();
        pos = win.positions();
        float[] w = conv.weight();
        weight = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            weight[i] = w[i];
        }
        float[] b = conv.bias();
        bias = b == null ? null : new double[b.length];
        for (int i = 0; bias != null && i < b.length; i++) {
            bias[i] = b[i];
        }
        cols = new int[groups][];
        for (int g = 0; g < groups; g++) {
            cols[g] = columns(win, g);
        }
    }

    private int[] columns(Window win, int g) {
        int plane = win.inH() * win.inW();
        int[] col = new int[k * pos];
        for (int p = 0; p < pos; p++) {
            int t = 0;
            for (int ci = 0; ci < cg; ci++) {
                int xc = (g * cg + ci) * plane;
                for (int kh = 0; kh < win.kH(); kh++) {
                    int ih = win.row(p / win.outW(), kh);
                    for (int kw = 0; kw < win.kW(); kw++, t++) {
                        int iw = win.col(p % win.outW(), kw);
                        boolean in = ih >= 0 && ih < win.inH() && iw >= 0 && iw < win.inW();
                        col[p * k + t] = in ? xc + ih * win.inW() + iw : -1;
                    }
                }
            }
        }
        return col;
    }

    /** {@code W∗x + b} at point x. */
    double[] apply(double[] x) {
        double[] y = new double[batch * cout * pos];
        double[] patches = new double[pos * k];
        int sample = x.length / batch;
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < groups; g++) {
                int[] col = cols[g];
                int base = n * sample;
                for (int i = 0; i < patches.length; i++) {
                    patches[i] = col[i] < 0 ? 0 : x[base + col[i]];
                }
                int co = g * coutG;
                int end = co + coutG;
                for (; co + 2 <= end; co += 2) {
                    int p = 0;
                    for (; p + 2 <= pos; p += 2) {
                        block(patches, co, p, n, y);
                    }
                    for (; p < pos; p++) {
                        y[out(n, co, p)] = finish(dot(patches, co, p), co);
                        y[out(n, co + 1, p)] = finish(dot(patches, co + 1, p), co + 1);
                    }
                }
                for (; co < end; co++) {
                    for (int p = 0; p < pos; p++) {
                        y[out(n, co, p)] = finish(dot(patches, co, p), co);
                    }
                }
            }
        }
        return y;
    }

    private int out(int n, int co, int p) {
        return (n * cout + co) * pos + p;
    }

    /** SparseAffine's {@code (s0 + s1) + b} with the unused second sum s1 = 0. */
    private double finish(double s, int co) {
        double zero = 0;
        return s + zero + (bias == null ? 0 : bias[co]);
    }

    /** {@code Σ_k W[co][k] · patches[p][k]}, k in order. */
    private double dot(double[] patches, int co, int p) {
        double s = 0;
        for (int t = 0, w0 = co * k, p0 = p * k; t < k; t++) {
            s += weight[w0 + t] * patches[p0 + t];
        }
        return s;
    }

    /** Outputs of channels co, co + 1 at positions p, p + 1: four independent sums, each as {@link #dot}. */
    private void block(double[] patches, int co, int p, int n, double[] y) {
        double s00 = 0;
        double s01 = 0;
        double s10 = 0;
        double s11 = 0;
        int w0 = co * k;
        int w1 = w0 + k;
        int p0 = p * k;
        int p1 = p0 + k;
        for (int t = 0; t < k; t++) {
            double a0 = weight[w0 + t];
            double a1 = weight[w1 + t];
            double x0 = patches[p0 + t];
            double x1 = patches[p1 + t];
            s00 += a0 * x0;
            s01 += a0 * x1;
            s10 += a1 * x0;
            s11 += a1 * x1;
        }
        y[out(n, co, p)] = finish(s00, co);
        y[out(n, co, p + 1)] = finish(s01, co);
        y[out(n, co + 1, p)] = finish(s10, co + 1);
        y[out(n, co + 1, p + 1)] = finish(s11, co + 1);
    }
}
