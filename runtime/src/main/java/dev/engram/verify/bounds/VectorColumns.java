package dev.engram.verify.bounds;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link UnitMajorProducts} on the Vector API: the rows in the vector lanes, tiles of one vector of rows x 8 columns
 * held in registers while the units run; per unit, the tile's coefficients are loaded once and each weight is
 * broadcast once. Each lane adds its products in unit order with a separate multiply and add, from +0, as the scalar
 * loops do. The rows past the last whole vector are computed by the vector ending at the last row and the columns
 * past the last whole tile by the tile ending at the last column: those tiles compute some values a second time, the
 * same values, written again. Loaded only when {@link dev.engram.model.kernel.Kernels#vector()}.
 */
final class VectorColumns {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int C = 8;

    private VectorColumns() {
    }

    /**
     * True when the tiles fit (at least one vector of rows and one tile of columns) and the rows fill their vectors
     * well: the vectors' lanes number at most 5/4 of the rows (fewer rows go to the row tiles of
     * {@link dev.engram.model.kernel.RowProducts}, whose tiles take 4 rows at a time, and a transposition).
     */
    static boolean fits(int rows, int in) {
        return rows >= L && in >= C && 4 * ((rows + L - 1) / L * L) <= 5 * rows;
    }

    static void products(double[] z, int rows, int[] units, int n, double[] w, int in, double[] out) {
        for (int k = 0; k < rows; k += L) {
            int kk = Math.min(k, rows - L);
            for (int i = 0; i < in; i += C) {
                tile(z, rows, kk, units, n, w, in, Math.min(i, in - C), out);
            }
        }
    }

    /** Rows {@code [k, k + L)}, columns {@code [i, i + 8)}. */
    private static void tile(double[] z, int rows, int k, int[] units, int n, double[] w, int in, int i,
                             double[] out) {
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        DoubleVector a4 = a0;
        DoubleVector a5 = a0;
        DoubleVector a6 = a0;
        DoubleVector a7 = a0;
        for (int j = 0; j < n; j++) {
            DoubleVector zv = DoubleVector.fromArray(S, z, j * rows + k);
            int wb = units[j] * in + i;
            a0 = a0.add(zv.mul(w[wb]));
            a1 = a1.add(zv.mul(w[wb + 1]));
            a2 = a2.add(zv.mul(w[wb + 2]));
            a3 = a3.add(zv.mul(w[wb + 3]));
            a4 = a4.add(zv.mul(w[wb + 4]));
            a5 = a5.add(zv.mul(w[wb + 5]));
            a6 = a6.add(zv.mul(w[wb + 6]));
            a7 = a7.add(zv.mul(w[wb + 7]));
        }
        a0.intoArray(out, i * rows + k);
        a1.intoArray(out, (i + 1) * rows + k);
        a2.intoArray(out, (i + 2) * rows + k);
        a3.intoArray(out, (i + 3) * rows + k);
        a4.intoArray(out, (i + 4) * rows + k);
        a5.intoArray(out, (i + 5) * rows + k);
        a6.intoArray(out, (i + 6) * rows + k);
        a7.intoArray(out, (i + 7) * rows + k);
    }
}
