package dev.engram.verify.graph;

/**
 * The state of one backward (CROWN) pass that lower-bounds {@code Σ_e a[r][e] · v_e} for each row r: the constant
 * collected so far per row and the sum of the magnitudes of the terms that went into it (which bounds the double
 * rounding of the collected constant, {@link GraphBounds}).
 */
public final class Backward {
    final double[] constant;
    final double[] magnitude;
    /** The value whose operator is relaxing now (set by the pass). */
    int node;
    /**
     * Per value, per row and element, the lower slopes of unstable ReLU elements (α-CROWN), or null for CROWN's
     * adaptive choice; any slope in [leak, 1] gives a valid bound. For an S-curve value ({@link SCurveBound}) the
     * tangent points of its lower (element i) and upper (element {@code n + i}) lines.
     */
    double[][][] alpha;
    /**
     * Per value, the valid tangent points of S-curve elements ({@link SCurveBound#sides}) when {@link #alpha} holds
     * their tangent points (lower line at element i, upper at {@code n + i}), or null.
     */
    SCurveBound.Sides[] sides;
    /** Per value, per row and element: the coefficient that met a lower line {@code α z} (for α's gradient), or null. */
    double[][][] used;

    /**
     * Per value, per row and element: the coefficient met by an unstable ReLU element (for branching and for the
     * slopes' gradients) or by an S-curve element (for the tangent points' gradients), or null.
     */
    double[][][] unstable;

    /**
     * Per value, per row and element: a coefficient added to the value as executed before it is relaxed (β-CROWN's
     * split multipliers, {@code −β} on an active split, {@code +β} on an inactive one), or null.
     */
    double[][][] extra;

    /**
     * Per value and row, the input-space functions {@link InputHull} chose (recorded where {@link #unstable} is), or
     * null.
     */
    InputHull.Chosen[][] hull;

    /**
     * Per value and row, the functions a previous pass of the same rows chose ({@link #hull}), where this pass's
     * {@link InputHull} starts its Frank–Wolfe steps (fewer of them) for the elements both relax; or null.
     */
    InputHull.Chosen[][] warmHull;

    /** Whether this pass keeps the triangle where {@link InputHull} would relax in the input space (for comparisons). */
    boolean triangleOnly;

    /**
     * Per row, the ranges of the subdomain it bounds, when one pass bounds several subdomains at once (its rows in
     * groups, {@link BetaCrown#optimiseAll}); null: the pass's ranges hold for every row. Operators that read their
     * arguments' ranges take them per row ({@link #arg}); the others are the same map for every subdomain.
     */
    private GraphBounds.Ranges[] byRow;
    /** Rows per subdomain when {@link #byRow} is set. */
    private int perGroup;
    /** The current node's arguments (set by the pass with {@link #node}). */
    int[] argIds;

    Backward(int rows) {
        constant = new double[rows];
        magnitude = new double[rows];
    }

    /** Makes this pass bound several subdomains: row r on {@code byRow[r]}, {@code perGroup} rows each. */
    void bySubdomain(GraphBounds.Ranges[] byRow, int perGroup) {
        this.byRow = byRow;
        this.perGroup = perGroup;
    }

    /** The rows of one subdomain: all of them unless {@link #bySubdomain}. */
    int groupRows() {
        return byRow == null ? rows() : perGroup;
    }

    /** Argument k's range for row r: its subdomain's ({@link #byRow}), else the pass's {@code args[k]}. */
    Range arg(int row, int k, Range[] args) {
        return byRow == null ? args[k] : byRow[row].values()[argIds[k]];
    }

    /** Row r's ranges: its subdomain's ({@link #byRow}), else the pass's {@code ranges}. */
    GraphBounds.Ranges ranges(int row, GraphBounds.Ranges ranges) {
        return byRow == null ? ranges : byRow[row];
    }

    /** The α slopes of the current node for row r, or null. */
    double[] alpha(int row) {
        return alpha == null || alpha[node] == null ? null : alpha[node][row];
    }

    /** The current node's valid tangent points, or null. */
    SCurveBound.Sides sides() {
        return sides == null ? null : sides[node];
    }

    /** Records that row r's coefficient {@code a} met unstable element i of the current node. */
    void unstable(int row, int i, double a) {
        if (unstable != null && unstable[node] != null) {
            unstable[node][row][i] = a;
        }
    }

    /** Records that row r's coefficient {@code a} met the lower line {@code α z} of element i of the current node. */
    void used(int row, int i, double a) {
        if (used != null && used[node] != null) {
            used[node][row][i] = a;
        }
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
