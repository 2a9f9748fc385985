package dev.engram.dict;

/**
 * The few dense linear-algebra operations the dictionary's closed forms need, behind one small interface so that an
 * implementation on native LAPACK can replace the plain-Java one without touching the formulas. Matrices are
 * row-major {@code double[]}. Every solver's result is checked by residual tests ({@code ClosedFormsProperties}).
 */
public interface LinearAlgebra {

    /**
     * Solves {@code A X = B} for a symmetric positive definite {@code A} ({@code n × n}) and {@code B}
     * ({@code n × k}) by Cholesky factorisation; throws {@link IllegalArgumentException} when {@code A} is not
     * positive definite (callers regularise with a ridge).
     */
    double[] solveSpd(double[] a, int n, double[] b, int k);

    /** {@code A B} for {@code A} ({@code n × m}) and {@code B} ({@code m × k}). */
    double[] multiply(double[] a, int n, int m, double[] b, int k);

    /** The plain-Java implementation (fast enough for layers of a few thousand units). */
    static LinearAlgebra plain() {
        return PlainLinearAlgebra.INSTANCE;
    }
}
