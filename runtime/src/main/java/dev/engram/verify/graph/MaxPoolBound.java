package dev.engram.verify.graph;

import dev.engram.model.dag.MaxPool;
import dev.engram.model.dag.Window;

/**
 * {@code MaxPool} (and {@code GlobalMaxPool}): each output is the largest input of its window (padding never
 * chosen). Exact in float32 (a comparison). Interval {@code [max_k l_k, max_k u_k]}. Relaxation (as DeepPoly's, Singh
 * et al. POPL 2019): when one input's lower bound reaches every other input's upper bound the output is that input,
 * exactly; otherwise the lower line is the input {@code j} with the largest lower bound ({@code y >= x_j}) and the
 * upper line the constant {@code max_k u_k}.
 */
final class MaxPoolBound implements BoundOp {
    private final int out;
    private final int k;
    private final int[] idx; // [out][k], -1 past the window's inputs

    private MaxPoolBound(int out, int k, int[] idx) {
        this.out = out;
        this.k = k;
        this.idx = idx;
    }

    static BoundOp of(MaxPool pool) {
        Window win = pool.window();
        int channels = pool.input().dim(0) * pool.input().dim(1);
        int k = win.kH() * win.kW();
        int pos = win.positions();
        int[] idx = new int[channels * pos * k];
        java.util.Arrays.fill(idx, -1);
        int plane = win.inH() * win.inW();
        for (int c = 0; c < channels; c++) {
            for (int oh = 0, p = 0; oh < win.outH(); oh++) {
                for (int ow = 0; ow < win.outW(); ow++, p++) {
                    int t = (c * pos + p) * k;
                    int start = t;
                    for (int kh = 0; kh < win.kH(); kh++) {
                        int ih = win.row(oh, kh);
                        for (int kw = 0; kw < win.kW(); kw++) {
                            int iw = win.col(ow, kw);
                            if (ih >= 0 && ih < win.inH() && iw >= 0 && iw < win.inW()) {
                                idx[t++] = c * plane + ih * win.inW() + iw;
                            }
                        }
                    }
                    if (t == start) {
                        throw new IllegalArgumentException("MaxPool has a window over padding only");
                    }
                }
            }
        }
        return new MaxPoolBound(channels * pos, k, idx);
    }

    @Override
    public String type() {
        return "MaxPool";
    }

    @Override
    public int size() {
        return out;
    }

    @Override
    public boolean nonlinear() {
        return true;
    }

    @Override
    public void interval(Range[] args, double[] lo, double[] hi) {
        for (int e = 0; e < out; e++) {
            double l = Double.NEGATIVE_INFINITY;
            double h = Double.NEGATIVE_INFINITY;
            for (int t = e * k, end = t + k; t < end && idx[t] >= 0; t++) {
                l = Math.max(l, args[0].lo()[idx[t]]);
                h = Math.max(h, args[0].hi()[idx[t]]);
            }
            lo[e] = l;
            hi[e] = h;
        }
    }

    @Override
    public double[] error(Range[] args) {
        return null;
    }

    @Override
    public void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        Range z = null;
        Windows w = null;
        for (int r = 0; r < a.length; r++) {
            if (pass.arg(r, 0, args) != z) { // a row of another subdomain: its windows on its ranges
                z = pass.arg(r, 0, args);
                w = windows(z);
            }
            double[] ar = a[r];
            double[] x = argA[0][r];
            for (int e = 0; e < out; e++) {
                double ae = ar[e];
                if (ae == 0) {
                    continue;
                }
                if (ae > 0 || w.exact[e]) {
                    x[w.best[e]] += ae;
                } else {
                    pass.add(r, ae * w.maxHi[e]);
                }
            }
        }
    }

    /**
     * Per window on the argument's range {@code z}: the input with the largest lower bound, the largest upper bound,
     * and whether that input's lower bound is at least every other input's upper bound (the maximum is then exact).
     */
    private record Windows(int[] best, double[] maxHi, boolean[] exact) {
    }

    private Windows windows(Range z) {
        double[] lo = z.lo();
        double[] hi = z.hi();
        int[] best = new int[out];
        double[] maxHi = new double[out];
        boolean[] exact = new boolean[out];
        for (int e = 0; e < out; e++) {
            int j = idx[e * k];
            double h = Double.NEGATIVE_INFINITY;
            for (int t = e * k, end = t + k; t < end && idx[t] >= 0; t++) {
                if (lo[idx[t]] > lo[j]) {
                    j = idx[t];
                }
                h = Math.max(h, hi[idx[t]]);
            }
            double other = Double.NEGATIVE_INFINITY;
            for (int t = e * k, end = t + k; t < end && idx[t] >= 0; t++) {
                if (idx[t] != j) {
                    other = Math.max(other, hi[idx[t]]);
                }
            }
            best[e] = j;
            maxHi[e] = h;
            exact[e] = lo[j] >= other;
        }
        return new Windows(best, maxHi, exact);
    }
}
