package dev.engram.verify.graph;

/**
 * The state of one backward (CROWN) pass that lower-bounds {@code Σ_e a[r][e] · v_e} for each row r: the constant
 * collected so far per row and the sum of the magnitudes of the terms that went into it (which bounds the double
 * rounding of the collected constant, {@link GraphBounds}).
 */
public final class Backward {
    final double[] constant;
    final double[] magnitude;

    Backward(int rows) {
        constant = new double[rows];
        magnitude = new double[rows];
    }

    /** Adds the term {@code v} to row r's constant. */
    public void add(int row, double v) {
        constant[row] += v;
        magnitude[row] += Math.abs(v);
    }

    public int rows() {
        return constant.length;
    }
}
