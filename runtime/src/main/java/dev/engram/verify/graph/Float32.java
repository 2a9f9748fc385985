package dev.engram.verify.graph;

import dev.engram.verify.bounds.Rounding;

/**
 * The per-operator error terms of the float32 error model ({@code docs/verifier.md}, "The error model"): Higham's
 * {@code γ_n} for float32, the absolute allowance per operation below the normal range, and the slack that covers
 * the double rounding of the bound computation's own coefficients.
 */
final class Float32 {
    /**
     * Relative allowance, per unit of term magnitude, for the double rounding of an operator's coefficients and
     * constants in a backward pass: a coefficient computed as a sum of at most {@code 2^16} products (each user's
     * contribution, each term of a fan-in) is within {@code γ_{2^16}·2 < 2^-35} of the exact one relative to the sum
     * of magnitudes; we allow {@code 2^-34}. Charged to the operator whose terms they are, like its float32 error.
     */
    static final double DOUBLE_SLACK = 0x1p-34;

    private Float32() {
    }

    /**
     * The error of a float32 sum of {@code terms} products (or {@code terms} values) plus a bias and one scaling, of
     * total magnitude {@code mag}: {@code (γ_{terms+2} + slack)·mag + (2·terms + 4)·τ}; infinite past float32's range.
     */
    static double sum(long terms, double mag) {
        if (!(mag < Rounding.F32_SAFE_MAX)) {
            return Double.POSITIVE_INFINITY;
        }
        double g = Rounding.gamma32(terms + 2) + DOUBLE_SLACK;
        return Math.nextUp(Math.nextUp(g * mag) + (2 * terms + 4) * Rounding.F32_TINY);
    }
}
