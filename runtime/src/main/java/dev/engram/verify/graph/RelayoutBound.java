package dev.engram.verify.graph;

/**
 * Operators that only move elements: {@code Reshape}, {@code Flatten}, {@code Squeeze}, {@code Unsqueeze},
 * {@code Identity}, {@code Dropout} (inference), {@code Transpose}, {@code Pad} (every mode). Each result element is an
 * argument element or a constant fill value; exact in float32 (a copy), so no error term, and the relaxation is exact.
 */
final class RelayoutBound implements BoundOp {
    private final String type;
    private final int[] source; // per result element: argument element, or -1 for the fill
    private final double fill;

    RelayoutBound(String type, int[] source, double fill) {
        this.type = type;
        this.source = source;
        this.fill = fill;
    }

    /** The identity map of {@code n} elements (a reshape). */
    static RelayoutBound identity(String type, int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = i;
        }
        return new RelayoutBound(type, s, 0);
    }

    /** The argument element result element {@code f} copies, or -1 for the fill value. */
    int source(int f) {
        return source[f];
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public int size() {
        return source.length;
    }

    @Override
    public void interval(Range[] args, double[] lo, double[] hi) {
        for (int f = 0; f < source.length; f++) {
            int s = source[f];
            lo[f] = s < 0 ? fill : args[0].lo()[s];
            hi[f] = s < 0 ? fill : args[0].hi()[s];
        }
    }

    @Override
    public double[] error(Range[] args) {
        return null;
    }

    @Override
    public void backward(double[][] a, Range[] args, double[][][] argA, Backward pass) {
        for (int r = 0; r < a.length; r++) {
            double[] ar = a[r];
            double[] x = argA[0][r];
            for (int f = 0; f < source.length; f++) {
                if (source[f] >= 0) {
                    x[source[f]] += ar[f];
                } else if (ar[f] != 0) {
                    pass.add(r, ar[f] * fill);
                }
            }
        }
    }
}
