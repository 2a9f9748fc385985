package dev.engram.verify.graph;

/**
 * Element-wise bounds {@code lo <= v <= hi} of one value (per sample, row-major in its shape). The arrays are owned by
 * the range once made; callers do not change them.
 */
public record Range(double[] lo, double[] hi) {

    public int size() {
        return lo.length;
    }

    /** {@code max(|lo_i|, |hi_i|)}: a bound of the element's magnitude. */
    public double mag(int i) {
        return Math.max(Math.abs(lo[i]), Math.abs(hi[i]));
    }

    /** The point range {@code [x, x]}. */
    public static Range point(double[] x) {
        return new Range(x.clone(), x.clone());
    }

    /** This range intersected with {@code o} element by element (both must contain the value). */
    public Range intersect(Range o) {
        double[] l = new double[lo.length];
        double[] h = new double[lo.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = Math.max(lo[i], o.lo[i]);
            h[i] = Math.min(hi[i], o.hi[i]);
        }
        return new Range(l, h);
    }

    /** This range widened by {@code err} on both sides (null: unchanged); infinite where a bound is not finite. */
    public Range widen(double[] err) {
        if (err == null) {
            return this;
        }
        double[] l = new double[lo.length];
        double[] h = new double[lo.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = Math.nextDown(lo[i] - err[i]);
            h[i] = Math.nextUp(hi[i] + err[i]);
            if (Double.isNaN(l[i]) || Double.isNaN(h[i])) {
                l[i] = Double.NEGATIVE_INFINITY;
                h[i] = Double.POSITIVE_INFINITY;
            }
        }
        return new Range(l, h);
    }
}
