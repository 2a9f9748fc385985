package dev.engram.model.dag;

import java.util.Arrays;

/**
 * An operator that only moves elements: each result element is an element of the argument (by an index map built
 * when the operator is read) or a constant fill value.
 */
public abstract class Relayout implements Op {
    private final Shape shape;
    private final int[] source; // per result element: the argument element, or -1 for the fill value
    private final float fill;

    Relayout(Shape shape, int[] source, float fill) {
        this.shape = shape;
        this.source = source;
        this.fill = fill;
    }

    @Override
    public final Shape shape() {
        return shape;
    }

    /** The argument element each result element is (a copy; -1: the fill value). */
    public final int[] source() {
        return source.clone();
    }

    public final float fill() {
        return fill;
    }

    @Override
    public final void forward(float[][] in, float[] out, int lanes, Scratch scratch) {
        float[] x = in[0];
        for (int f = 0; f < source.length; f++) {
            int s = source[f];
            if (s < 0) {
                Arrays.fill(out, f * lanes, (f + 1) * lanes, fill);
            } else {
                System.arraycopy(x, s * lanes, out, f * lanes, lanes);
            }
        }
    }

    /** Row-major strides of a shape. */
    static int[] strides(Shape s) {
        int[] st = new int[s.rank()];
        int n = 1;
        for (int k = s.rank() - 1; k >= 0; k--) {
            st[k] = n;
            n *= s.dim(k);
        }
        return st;
    }
}
