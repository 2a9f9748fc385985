package dev.engram.verify;

/** A linear constraint {@code coefficients · v <= bound} over a vector (network inputs or outputs). */
public record LinearConstraint(double[] coefficients, double bound) {
    public LinearConstraint {
        coefficients = coefficients.clone();
    }

    /** True when {@code v} satisfies the constraint up to {@code tolerance}. */
    public boolean holds(double[] v, double tolerance) {
        double s = 0;
        for (int i = 0; i < coefficients.length; i++) {
            s += coefficients[i] * v[i];
        }
        return s <= bound + tolerance;
    }
}
