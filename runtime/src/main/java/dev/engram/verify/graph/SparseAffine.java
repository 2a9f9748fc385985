package dev.engram.verify.graph;

import dev.engram.model.dag.LinearTerms;

/**
 * An affine map of one argument with a fixed fan-in: {@code v_e = Σ_t w[e][t] · x[idx[e][t]] + b_e} (the scale of
 * {@link LinearTerms} multiplied into the weights, exactly in double). The shared arithmetic of the affine operators
 * (Gemm, MatMul, Conv, AveragePool, element-wise affine): interval by the centre/radius rule
 * ({@code c·W + b}, {@code r·|W|}), the float32 error of a sum of {@code fanIn} products plus a bias and a scale, and
 * the backward pass {@code a ↦ a·W}, constant {@code a·b}. Immutable.
 */
final class SparseAffine {
    final int out;
    final int fanIn;
    final int[] idx;
    final double[] w;
    final double[] b; // null: no bias
    /** Terms the float32 evaluation sums per element (the error's {@code n}); at least the fan-in. */
    final int terms;
    /** Whether element e reads argument elements {@code 0 .. fanIn − 1} in order (a dense matrix: loops without idx). */
    private final boolean dense;

    SparseAffine(int out, int fanIn, int[] idx, double[] w, double[] b, int terms) {
        this.out = out;
        this.fanIn = fanIn;
        this.idx = idx;
        this.w = w;
        this.b = b;
        this.terms = terms;
        boolean d = true;
        for (int t = 0; t < idx.length && d; t++) {
            d = idx[t] == t % fanIn;
        }
        this.dense = d;
    }

    /** Whether element e reads argument elements {@code 0 .. fanIn − 1} in order. */
    boolean dense() {
        return dense;
    }

    static SparseAffine of(LinearTerms t) {
        double[] w = new double[t.weight().length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (double) t.scale() * t.weight()[i]; // exact: a product of two floats fits a double
        }
        double[] b = null;
        if (t.bias() != null) {
            b = new double[t.outSize()];
            for (int e = 0; e < b.length; e++) {
                b[e] = t.bias()[e];
            }
        }
        return new SparseAffine(t.outSize(), t.fanIn(), t.index(), w, b, t.fanIn());
    }

    void interval(Range x, double[] lo, double[] hi) {
        for (int e = 0; e < out; e++) {
            double c = b == null ? 0 : b[e];
            double r = 0;
            double mag = Math.abs(c);
            for (int t = e * fanIn, end = t + fanIn; t < end; t++) {
                double wt = w[t];
                if (wt == 0) {
                    continue;
                }
                int i = idx[t];
                double l = x.lo()[i];
                double h = x.hi()[i];
                c += wt * (0.5 * l + 0.5 * h);
                double rad = 0.5 * h - 0.5 * l;
                r += Math.abs(wt) * rad;
                mag += Math.abs(wt) * Math.max(Math.abs(l), Math.abs(h));
            }
            // the centre/radius sums are themselves rounded: widen by their proved rounding
            double slack = Float32.DOUBLE_SLACK * (mag + r);
            lo[e] = Math.nextDown(c - r - slack);
            hi[e] = Math.nextUp(c + r + slack);
            if (Double.isNaN(lo[e]) || Double.isNaN(hi[e]) || Double.isInfinite(mag)) {
                lo[e] = Double.NEGATIVE_INFINITY;
                hi[e] = Double.POSITIVE_INFINITY;
            }
        }
    }

    /** {@code γ_{terms+2}(Σ|w||x| + |b|) + (2·terms + 4)τ} per element, plus the double slack. */
    double[] error(Range x) {
        double[] err = new double[out];
        for (int e = 0; e < out; e++) {
            double mag = b == null ? 0 : Math.abs(b[e]);
            for (int t = e * fanIn, end = t + fanIn; t < end; t++) {
                if (w[t] != 0) {
                    mag += Math.abs(w[t]) * x.mag(idx[t]);
                }
            }
            err[e] = Float32.sum(terms, mag);
        }
        return err;
    }

    /**
     * The map at point {@code x} in double (no rounding bound: for linearisation points, e.g. the relaxed point
     * {@link RelaxedPoints}, never for bounds). Each element sums its terms in index order (a dense row in
     * two alternating sums); a dense map two elements at once, each in its own sums, so that the sums do not wait on
     * each other (the same values as one element at a time, {@link #applyOne}).
     */
    double[] apply(double[] x) {
        double[] y = new double[out];
        int e = 0;
        for (; dense && e + 2 <= out; e += 2) {
            densePair(x, e, y);
        }
        for (; e < out; e++) {
            y[e] = applyOne(x, e);
        }
        return y;
    }

    /** Element e of {@link #apply}, alone. */
    double applyOne(double[] x, int e) {
        double s0 = 0;
        double s1 = 0;
        int t = e * fanIn;
        int end = t + fanIn;
        if (dense) {
            int k = 0;
            for (; t + 1 < end; t += 2, k += 2) {
                s0 += w[t] * x[k];
                s1 += w[t + 1] * x[k + 1];
            }
            if (t < end) {
                s0 += w[t] * x[k];
            }
        } else {
            for (; t < end; t++) {
                s0 += w[t] * x[idx[t]];
            }
        }
        return s0 + s1 + (b == null ? 0 : b[e]);
    }

    /** Elements e and e + 1 of a dense map, each as {@link #applyOne}. */
    private void densePair(double[] x, int e, double[] y) {
        double s0 = 0;
        double s1 = 0;
        double r0 = 0;
        double r1 = 0;
        int t = e * fanIn;
        int u = t + fanIn;
        int k = 0;
        for (; k + 1 < fanIn; k += 2) {
            s0 += w[t + k] * x[k];
            s1 += w[t + k + 1] * x[k + 1];
            r0 += w[u + k] * x[k];
            r1 += w[u + k + 1] * x[k + 1];
        }
        if (k < fanIn) {
            s0 += w[t + k] * x[k];
            r0 += w[u + k] * x[k];
        }
        y[e] = s0 + s1 + (b == null ? 0 : b[e]);
        y[e + 1] = r0 + r1 + (b == null ? 0 : b[e + 1]);
    }

    /**
     * {@link #apply} for several points, value for value; a dense map takes each pair of weight rows once for all of
     * them (two elements per point at a time, as {@link #densePair}).
     */
    double[][] apply(double[][] xs) {
        if (!dense || xs.length < 2) {
            double[][] ys = new double[xs.length][];
            for (int r = 0; r < xs.length; r++) {
                ys[r] = apply(xs[r]);
            }
            return ys;
        }
        double[][] ys = new double[xs.length][out];
        int e = 0;
        for (; e + 2 <= out; e += 2) {
            for (int r = 0; r < xs.length; r++) {
                densePair(xs[r], e, ys[r]);
            }
        }
        for (; e < out; e++) {
            for (int r = 0; r < xs.length; r++) {
                ys[r][e] = applyOne(xs[r], e);
            }
        }
        return ys;
    }

    void backward(double[][] a, double[] argA0, int row, Backward pass) {
        double[] ar = a[row];
        double cst = 0;
        double mag = 0;
        for (int e = 0; e < out; e++) {
            double ae = ar[e];
            if (ae == 0) {
                continue;
            }
            if (dense) {
                for (int k = 0, t = e * fanIn; k < fanIn; k++, t++) {
                    argA0[k] += ae * w[t];
                }
            } else {
                for (int t = e * fanIn, end = t + fanIn; t < end; t++) {
                    argA0[idx[t]] += ae * w[t];
                }
            }
            if (b != null) {
                cst += ae * b[e];
                mag += Math.abs(ae * b[e]);
            }
        }
        pass.constant[row] += cst;
        pass.magnitude[row] += mag;
    }

    void backward(double[][] a, double[][] argA0, Backward pass) {
        if (a.length < 2) {
            for (int r = 0; r < a.length; r++) {
                backward(a, argA0[r], r, pass);
            }
            return;
        }
        // several rows (objectives, or subdomains of a batch): each weight row once for all rows (it stays in cache);
        // each row's sums in the same order as alone
        int rows = a.length;
        double[] cst = new double[rows];
        double[] mag = new double[rows];
        for (int e = 0; e < out; e++) {
            int base = e * fanIn;
            for (int r = 0; r < rows; r++) {
                double ae = a[r][e];
                if (ae == 0) {
                    continue;
                }
                double[] x = argA0[r];
                if (dense) {
                    for (int k = 0; k < fanIn; k++) {
                        x[k] += ae * w[base + k];
                    }
                } else {
                    for (int t = base, end = base + fanIn; t < end; t++) {
                        x[idx[t]] += ae * w[t];
                    }
                }
                if (b != null) {
                    cst[r] += ae * b[e];
                    mag[r] += Math.abs(ae * b[e]);
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            pass.constant[r] += cst[r];
            pass.magnitude[r] += mag[r];
        }
    }
}
