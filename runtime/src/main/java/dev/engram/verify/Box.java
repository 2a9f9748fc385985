package dev.engram.verify;

/** An axis-aligned box {@code lo <= x <= hi} in model units. */
public record Box(double[] lo, double[] hi) {
    public Box {
        if (lo.length != hi.length) {
            throw new IllegalArgumentException("box bounds differ in dimension");
        }
        lo = lo.clone();
        hi = hi.clone();
    }

    public int dimension() {
        return lo.length;
    }
}
