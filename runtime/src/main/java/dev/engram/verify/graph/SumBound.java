package dev.engram.verify.graph;

import dev.engram.model.dag.Binary;
import dev.engram.model.dag.Sub;

/**
 * {@code Add} and {@code Sub} of two data operands (a residual connection), with broadcasting: one float32 addition
 * per element, error {@code u(|a| + |b|) + τ}, bounded by the sum rule ({@code γ_3(|a| + |b|) + 6τ}). Exact relaxation:
 * the coefficients pass to both operands (negated for the second of a {@code Sub}).
 */
final class SumBound implements BoundOp {
    private final String type;
    private final int n;
    private final int[] ia;
    private final int[] ib;
    private final double sign;

    SumBound(Binary op) {
        this.type = op.type();
        this.n = op.shape().size();
        this.ia = new int[n];
        this.ib = new int[n];
        for (int f = 0; f < n; f++) {
            ia[f] = op.operandElement(0, f);
            ib[f] = op.operandElement(1, f);
        }
        this.sign = op instanceof Sub ? -1 : 1;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public void interval(Range[] args, double[] lo, double[] hi) {
        Range a = args[0];
        Range b = args[1];
        for (int f = 0; f < n; f++) {
            double bl = sign > 0 ? b.lo()[ib[f]] : -b.hi()[ib[f]];
            double bh = sign > 0 ? b.hi()[ib[f]] : -b.lo()[ib[f]];
            lo[f] = Math.nextDown(a.lo()[ia[f]] + bl);
            hi[f] = Math.nextUp(a.hi()[ia[f]] + bh);
        }
    }

    @Override
    public double[] error(Range[] args) {
        double[] err = new double[n];
        for (int f = 0; f < n; f++) {
            err[f] = Float32.sum(1, args[0].mag(ia[f]) + args[1].mag(ib[f]));
        }
        return err;
    }

    @Override
    public void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        for (int r = 0; r < a.length; r++) {
            double[] ar = a[r];
            double[] x = argA[0][r];
            double[] y = argA[1][r];
            for (int f = 0; f < n; f++) {
                x[ia[f]] += ar[f];
                y[ib[f]] += sign * ar[f];
            }
        }
    }
}
