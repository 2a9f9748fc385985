package dev.engram.check;

/**
 * A linear constraint {@code coefficients · v <= bound} (or {@code <} when {@code strict}) over the input slots
 * or the outputs of a model, in the rule file's real units.
 */
public record Linear(double[] coefficients, double bound, boolean strict) {
    public Linear {
        coefficients = coefficients.clone();
    }

    /** The negation {@code coefficients · v > bound}, written as {@code -coefficients · v < -bound}. */
    public Linear negate() {
        double[] c = new double[coefficients.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = -coefficients[i];
        }
        return new Linear(c, -bound, !strict);
    }

    /** True when {@code v} satisfies the constraint up to {@code tolerance}. */
    public boolean holds(double[] v, double tolerance) {
        double s = 0;
        for (int i = 0; i < coefficients.length; i++) {
            s += coefficients[i] * v[i];
        }
        return strict ? s < bound + tolerance : s <= bound + tolerance;
    }
}
