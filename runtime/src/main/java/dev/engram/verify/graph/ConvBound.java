package dev.engram.verify.graph;

import dev.engram.model.dag.Conv;
import dev.engram.model.dag.Window;

/**
 * {@code Conv} (strides, pads, dilations, groups) as a sparse affine map: output {@code (n, co, oh, ow)} reads the
 * {@code K = C/group · kH · kW} inputs of its window (padding positions are terms with weight 0). Float32 error as
 * for a dense layer of fan-in K: {@code γ_{K+2}(Σ|w||x| + |b|) + (2K+4)τ}.
 */
final class ConvBound extends AffineOp {
    /** The same point map in vectorisable loops (null where the index is a dense matrix: its own loops). */
    private final ConvPoints points;

    private ConvBound(SparseAffine map, ConvPoints points) {
        super(map);
        this.points = map.dense() ? null : points;
    }

    static BoundOp of(Conv conv) {
        Window win = conv.window();
        int batch = conv.input().dim(0);
        int cin = conv.input().dim(1);
        int cout = conv.shape().dim(1);
        int cg = cin / conv.group();
        int coutG = cout / conv.group();
        int k = cg * win.kH() * win.kW();
        int pos = win.positions();
        int out = batch * cout * pos;
        float[] weight = conv.weight();
        float[] bias = conv.bias();
        int[] idx = new int[out * k];
        double[] w = new double[out * k];
        double[] b = bias == null ? null : new double[out];
        int plane = win.inH() * win.inW();
        for (int n = 0; n < batch; n++) {
            for (int co = 0; co < cout; co++) {
                int g = co / coutG;
                for (int p = 0; p < pos; p++) {
                    int e = (n * cout + co) * pos + p;
                    int t = e * k;
                    for (int ci = 0; ci < cg; ci++) {
                        int xc = (n * cin + g * cg + ci) * plane;
                        for (int kh = 0; kh < win.kH(); kh++) {
                            int ih = win.row(p / win.outW(), kh);
                            for (int kw = 0; kw < win.kW(); kw++, t++) {
                                int iw = win.col(p % win.outW(), kw);
                                if (ih >= 0 && ih < win.inH() && iw >= 0 && iw < win.inW()) {
                                    idx[t] = xc + ih * win.inW() + iw;
                                    w[t] = weight[((co * cg) + ci) * win.kH() * win.kW() + kh * win.kW() + kw];
                                }
                            }
                        }
                    }
                    if (b != null) {
                        b[e] = bias[co];
                    }
                }
            }
        }
        return new ConvBound(new SparseAffine(out, k, idx, w, b, k), new ConvPoints(conv));
    }

    @Override
    double[][] apply(double[][] xs) {
        if (points == null) {
            return super.apply(xs);
        }
        double[][] ys = new double[xs.length][];
        for (int r = 0; r < xs.length; r++) {
            ys[r] = points.apply(xs[r]);
        }
        return ys;
    }

    @Override
    public String type() {
        return "Conv";
    }
}
