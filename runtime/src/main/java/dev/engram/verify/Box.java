package dev.engram.verify;

/**
 * An axis-aligned box {@code lo <= x <= hi} in model units. A face may be marked open ({@code openLo[i]}: the
 * region's {@code x_i > lo_i} was strict, as VNN-LIB allows): proofs treat every box as closed (a proof for the
 * closed box covers the open one), and a witness on an open face is reported as on a strict boundary
 * ({@link Verdict.Sat#onStrictBoundary}).
 */
public record Box(double[] lo, double[] hi, boolean[] openLo, boolean[] openHi) {
    public Box {
        if (lo.length != hi.length) {
            throw new IllegalArgumentException("box bounds differ in dimension");
        }
        lo = lo.clone();
        hi = hi.clone();
        openLo = openLo == null ? new boolean[lo.length] : openLo.clone();
        openHi = openHi == null ? new boolean[hi.length] : openHi.clone();
        if (openLo.length != lo.length || openHi.length != hi.length) {
            throw new IllegalArgumentException("box faces differ in dimension");
        }
    }

    /** A closed box. */
    public Box(double[] lo, double[] hi) {
        this(lo, hi, null, null);
    }

    public int dimension() {
        return lo.length;
    }
}
