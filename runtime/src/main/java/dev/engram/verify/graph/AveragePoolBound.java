package dev.engram.verify.graph;

import dev.engram.model.dag.AveragePool;
import dev.engram.model.dag.Window;

/**
 * {@code AveragePool} (and {@code GlobalAveragePool}): each output is the sum of its window's inputs divided by the
 * operator's divisor, a linear map with weights {@code 1/d}. Float32 error of a sum of {@code n} inputs and one
 * division (or a multiplication by a rounded reciprocal): {@code γ_{n+2} Σ|x|/d + (2n+4)τ}; the weights' own double
 * rounding ({@code 1/d} is not exact) is within the double slack.
 */
final class AveragePoolBound extends AffineOp {

    private AveragePoolBound(SparseAffine map) {
        super(map);
    }

    static BoundOp of(AveragePool pool) {
        Window win = pool.window();
        int channels = pool.input().dim(0) * pool.input().dim(1);
        int k = win.kH() * win.kW();
        int pos = win.positions();
        float[] div = pool.divisors();
        int out = channels * pos;
        int[] idx = new int[out * k];
        double[] w = new double[out * k];
        int plane = win.inH() * win.inW();
        for (float d : div) {
            if (!(d > 0)) {
                throw new IllegalArgumentException("AveragePool has a window over padding only (its result is NaN)");
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int oh = 0, p = 0; oh < win.outH(); oh++) {
                for (int ow = 0; ow < win.outW(); ow++, p++) {
                    int t = (c * pos + p) * k;
                    for (int kh = 0; kh < win.kH(); kh++) {
                        int ih = win.row(oh, kh);
                        for (int kw = 0; kw < win.kW(); kw++, t++) {
                            int iw = win.col(ow, kw);
                            if (ih >= 0 && ih < win.inH() && iw >= 0 && iw < win.inW()) {
                                idx[t] = c * plane + ih * win.inW() + iw;
                                w[t] = 1.0 / div[p];
                            }
                        }
                    }
                }
            }
        }
        return new AveragePoolBound(new SparseAffine(out, k, idx, w, null, k));
    }

    @Override
    public String type() {
        return "AveragePool";
    }
}
