package dev.engram.verify;

/**
 * A linear constraint {@code coefficients · v <= bound} over a vector (network inputs or outputs). {@code strict}
 * records that the source said {@code <} (VNN-LIB allows it): the verifier reads every constraint as non-strict (a
 * proof for the closed set covers the open one), and marks a witness meeting a strict constraint with equality
 * ({@link Verdict.Sat#onStrictBoundary}).
 */
public record LinearConstraint(double[] coefficients, double bound, boolean strict) {
    public LinearConstraint {
        coefficients = coefficients.clone();
    }

    /** A non-strict constraint. */
    public LinearConstraint(double[] coefficients, double bound) {
        this(coefficients, bound, false);
    }

    /** True when {@code v} satisfies the constraint up to {@code tolerance}. */
    public boolean holds(double[] v, double tolerance) {
        double s = 0;
        for (int i = 0; i < coefficients.length; i++) {
            s += coefficients[i] * v[i];
        }
        return s <= bound + tolerance;
    }

    /** True when {@code v} satisfies the constraint in exact arithmetic ({@code coefficients · v <= bound}). */
    public boolean holdsExactly(double[] v) {
        return slack(v).signum() >= 0;
    }

    /** {@code bound - coefficients · v}, exactly. */
    public java.math.BigDecimal slack(double[] v) {
        java.math.BigDecimal s = new java.math.BigDecimal(bound);
        for (int i = 0; i < coefficients.length; i++) {
            if (coefficients[i] != 0 && v[i] != 0) {
                s = s.subtract(new java.math.BigDecimal(coefficients[i]).multiply(new java.math.BigDecimal(v[i])));
            }
        }
        return s;
    }
}
