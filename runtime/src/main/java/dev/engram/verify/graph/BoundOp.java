package dev.engram.verify.graph;

/**
 * The bounds of one operator of a {@link dev.engram.model.dag.Dag}, in the auto_LiRPA style. With {@code v} the exact
 * (real-arithmetic) operator applied to its arguments as executed, the value as executed in float32 is
 * {@code v̂ = v + e} with {@code |e| <= error(...)} element by element, in any summation order. The three methods:
 *
 * <ul>
 *   <li>{@link #interval}: bounds of {@code v} over the arguments' ranges (the caller widens them by the error);
 *   <li>{@link #error}: the bound of {@code |e|}, including an allowance for the double rounding of this operator's
 *       own terms in the bound computation ({@link Float32#DOUBLE_SLACK});
 *   <li>{@link #backward}: given coefficients {@code a[r][e]} of this operator's exact result, linear lower bounds of
 *       {@code Σ_e a[r][e] v_e} in terms of the arguments (added to {@code argA}) plus a constant (added to the
 *       pass's {@link Backward}), valid wherever the arguments lie in their ranges. Non-linear operators relax
 *       (CROWN); lower lines where {@code a >= 0}, upper lines where {@code a < 0}.
 * </ul>
 *
 * A range argument may be a point (lo = hi): the relaxation is then the operator's local linearisation (exact for
 * piecewise-linear operators, the tangent for smooth ones), which the attack uses as a gradient.
 */
public interface BoundOp {

    /** The ONNX operator, e.g. {@code Conv}. */
    String type();

    /** Elements per sample of the result. */
    int size();

    /** Whether the operator is non-linear (its argument's bounds are worth tightening before it is relaxed). */
    default boolean nonlinear() {
        return false;
    }

    /** Bounds of the exact result over the arguments' ranges, written to {@code lo}, {@code hi}. */
    void interval(Range[] args, double[] lo, double[] hi);

    /** The bound of the float32 evaluation error per element, or null when the operator is exact in float32. */
    double[] error(Range[] args);

    /**
     * Adds the lower relaxation of {@code Σ_e a[r][e] v_e} for each row: coefficients to {@code argA[k][r]} (same
     * layout as argument k's elements; allocated by the caller, zero or holding other users' terms) and constants to
     * {@code pass}.
     */
    void backward(double[][] a, Range[] args, double[][][] argA, Backward pass);
}
