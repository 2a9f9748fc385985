package dev.engram.dict;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gram}'s product on the (incubating) Vector API, in double: register-blocked as 4 rows of the result x 2
 * vectors of columns, so per data row two vectors are loaded and four values broadcast, feeding 8 independent
 * accumulators that stay in registers for the whole block. Each lane sums its products over the rows in order, one
 * fused multiply-add a product (one rounding; half the arithmetic of a multiply and an add), so every entry is rounded
 * exactly as {@link Gram#upperScalar} rounds it. Loaded
 * only when the JVM runs with {@code --add-modules jdk.incubator.vector}.
 */
final class GramKernel {
    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int L = S.length();
    /** Columns per tile. */
    static final int JB = 2 * L;

    private GramKernel() {
    }

    /** Whether the CPU runs vectors of at least 256 bits natively (else the scalar loop is as fast). */
    static boolean usable() {
        if (L < 4) {
            return false;
        }
        double[] x = new double[JB * 4];
        java.util.Arrays.fill(x, 1);
        double[] g = new double[JB * JB];
        upper(x, 4, JB, g);
        return g[0] == 4 && g[JB - 1] == 4;
    }

    /**
     * The upper triangle (and some entries below it) of {@code XᵀX} into {@code g} ({@code dp × dp}, row-major), for
     * {@code X} the {@code k × dp} row-major {@code x}; {@code dp} is a multiple of {@link #JB}.
     */
    static void upper(double[] x, int k, int dp, double[] g) {
        for (int i0 = 0; i0 < dp; i0 += 4) {
            for (int j0 = i0 / JB * JB; j0 < dp; j0 += JB) {
                tile(x, k, dp, i0, j0, g);
            }
        }
    }

    private static void tile(double[] x, int k, int dp, int i0, int j0, double[] g) {
        DoubleVector a00 = DoubleVector.zero(S);
        DoubleVector a01 = a00;
        DoubleVector a10 = a00;
        DoubleVector a11 = a00;
        DoubleVector a20 = a00;
        DoubleVector a21 = a00;
        DoubleVector a30 = a00;
        DoubleVector a31 = a00;
        for (int r = 0, o = 0; r < k; r++, o += dp) {
            DoubleVector v0 = DoubleVector.fromArray(S, x, o + j0);
            DoubleVector v1 = DoubleVector.fromArray(S, x, o + j0 + L);
            DoubleVector b = DoubleVector.broadcast(S, x[o + i0]);
            a00 = b.fma(v0, a00);
            a01 = b.fma(v1, a01);
            b = DoubleVector.broadcast(S, x[o + i0 + 1]);
            a10 = b.fma(v0, a10);
            a11 = b.fma(v1, a11);
            b = DoubleVector.broadcast(S, x[o + i0 + 2]);
            a20 = b.fma(v0, a20);
            a21 = b.fma(v1, a21);
            b = DoubleVector.broadcast(S, x[o + i0 + 3]);
            a30 = b.fma(v0, a30);
            a31 = b.fma(v1, a31);
        }
        int g0 = i0 * dp + j0;
        a00.intoArray(g, g0);
        a01.intoArray(g, g0 + L);
        a10.intoArray(g, g0 + dp);
        a11.intoArray(g, g0 + dp + L);
        a20.intoArray(g, g0 + 2 * dp);
        a21.intoArray(g, g0 + 2 * dp + L);
        a30.intoArray(g, g0 + 3 * dp);
        a31.intoArray(g, g0 + 3 * dp + L);
    }
}
