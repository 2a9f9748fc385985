package dev.engram.model.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowProducts} on the Vector API: tiles of 4 rows x 2 vectors of columns (8 accumulators) or 1 row x 4 vectors,
 * held in registers while the units run; per unit, the tile's weight vectors are loaded once and each row's
 * coefficient is broadcast once. Each lane adds its products in unit order with a separate multiply and add, from +0,
 * exactly as the scalar loops do. Rows past the last group of 4 take 1-row tiles; the columns past the last whole
 * vector take one more vector whose extra lanes read past the row (the weights must be padded after the last row by
 * {@link RowProducts#PAD} entries, else the scalar loops take them) and are dropped. Loaded only when {@link Kernels#vector()}.
 */
final class VectorRows {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorRows() {
    }

    static void products(double[] z, int rows, int[] units, int n, double[] w, int in, double[][] prev) {
        int full = in / L * L;
        int k = 0;
        for (; k + 3 < rows; k += 4) {
            int c = 0;
            for (; c + 2 * L <= full; c += 2 * L) {
                tile42(z, rows, k, units, n, w, in, c, prev);
            }
            for (; c < full; c += L) {
                for (int r = k; r < k + 4; r++) {
                    tile11(z, rows, r, units, n, w, in, c, prev[r], c);
                }
            }
        }
        for (; k < rows; k++) {
            int c = 0;
            for (; c + 4 * L <= full; c += 4 * L) {
                tile14(z, rows, k, units, n, w, in, c, prev[k]);
            }
            for (; c < full; c += L) {
                tile11(z, rows, k, units, n, w, in, c, prev[k], c);
            }
        }
        if (full == in || n == 0) {
            return;
        }
        if (units[n - 1] * in + full + L > w.length) { // no padding after the last row: the plain loops
            RowProducts.scalar(z, rows, units, n, w, in, prev, 0, full);
            return;
        }
        double[] t = new double[4 * L];
        int r = 0;
        for (; r + 3 < rows; r += 4) {
            tail41(z, rows, r, units, n, w, in, full, t);
            for (int q = 0; q < 4; q++) {
                System.arraycopy(t, q * L, prev[r + q], full, in - full);
            }
        }
        for (; r < rows; r++) {
            tile11(z, rows, r, units, n, w, in, full, t, 0);
            System.arraycopy(t, 0, prev[r], full, in - full);
        }
    }

    /**
     * Rows k..k+3, the columns [c, in) past the last whole vector, into {@code t[q * L ..]} for row k + q: the lanes
     * past {@code in} read the next weight row (or the padding after the last one) and are dropped by the caller.
     */
    private static void tail41(double[] z, int rows, int k, int[] units, int n, double[] w, int in, int c,
                               double[] t) {
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        for (int j = 0, zj = k; j < n; j++, zj += rows) {
            DoubleVector wv = DoubleVector.fromArray(S, w, units[j] * in + c);
            a0 = a0.add(DoubleVector.broadcast(S, z[zj]).mul(wv));
            a1 = a1.add(DoubleVector.broadcast(S, z[zj + 1]).mul(wv));
            a2 = a2.add(DoubleVector.broadcast(S, z[zj + 2]).mul(wv));
            a3 = a3.add(DoubleVector.broadcast(S, z[zj + 3]).mul(wv));
        }
        a0.intoArray(t, 0);
        a1.intoArray(t, L);
        a2.intoArray(t, 2 * L);
        a3.intoArray(t, 3 * L);
    }

    /** Rows k..k+3, columns [c, c + 2L). */
    private static void tile42(double[] z, int rows, int k, int[] units, int n, double[] w, int in, int c,
                               double[][] prev) {
        DoubleVector a00 = DoubleVector.zero(S);
        DoubleVector a01 = a00;
        DoubleVector a10 = a00;
        DoubleVector a11 = a00;
        DoubleVector a20 = a00;
        DoubleVector a21 = a00;
        DoubleVector a30 = a00;
        DoubleVector a31 = a00;
        for (int j = 0, zj = k; j < n; j++, zj += rows) {
            int wb = units[j] * in + c;
            DoubleVector w0 = DoubleVector.fromArray(S, w, wb);
            DoubleVector w1 = DoubleVector.fromArray(S, w, wb + L);
            DoubleVector z0 = DoubleVector.broadcast(S, z[zj]);
            a00 = a00.add(z0.mul(w0));
            a01 = a01.add(z0.mul(w1));
            DoubleVector z1 = DoubleVector.broadcast(S, z[zj + 1]);
            a10 = a10.add(z1.mul(w0));
            a11 = a11.add(z1.mul(w1));
            DoubleVector z2 = DoubleVector.broadcast(S, z[zj + 2]);
            a20 = a20.add(z2.mul(w0));
            a21 = a21.add(z2.mul(w1));
            DoubleVector z3 = DoubleVector.broadcast(S, z[zj + 3]);
            a30 = a30.add(z3.mul(w0));
            a31 = a31.add(z3.mul(w1));
        }
        a00.intoArray(prev[k], c);
        a01.intoArray(prev[k], c + L);
        a10.intoArray(prev[k + 1], c);
        a11.intoArray(prev[k + 1], c + L);
        a20.intoArray(prev[k + 2], c);
        a21.intoArray(prev[k + 2], c + L);
        a30.intoArray(prev[k + 3], c);
        a31.intoArray(prev[k + 3], c + L);
    }

    /** Row k, columns [c, c + 4L). */
    private static void tile14(double[] z, int rows, int k, int[] units, int n, double[] w, int in, int c,
                               double[] p) {
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        for (int j = 0, zj = k; j < n; j++, zj += rows) {
            int wb = units[j] * in + c;
            DoubleVector zv = DoubleVector.broadcast(S, z[zj]);
            a0 = a0.add(zv.mul(DoubleVector.fromArray(S, w, wb)));
            a1 = a1.add(zv.mul(DoubleVector.fromArray(S, w, wb + L)));
            a2 = a2.add(zv.mul(DoubleVector.fromArray(S, w, wb + 2 * L)));
            a3 = a3.add(zv.mul(DoubleVector.fromArray(S, w, wb + 3 * L)));
        }
        a0.intoArray(p, c);
        a1.intoArray(p, c + L);
        a2.intoArray(p, c + 2 * L);
        a3.intoArray(p, c + 3 * L);
    }

    /** Row k, columns [c, c + L), into {@code p[po ..]}. */
    private static void tile11(double[] z, int rows, int k, int[] units, int n, double[] w, int in, int c,
                               double[] p, int po) {
        DoubleVector a = DoubleVector.zero(S);
        for (int j = 0, zj = k; j < n; j++, zj += rows) {
            a = a.add(DoubleVector.broadcast(S, z[zj]).mul(DoubleVector.fromArray(S, w, units[j] * in + c)));
        }
        a.intoArray(p, po);
    }

}
