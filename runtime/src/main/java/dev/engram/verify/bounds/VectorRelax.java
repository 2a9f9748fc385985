package dev.engram.verify.bounds;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BackwardPass}'s batched relaxation on the Vector API: the rows in the vector lanes, a group of rows' running
 * sums held in registers while the units run. Each lane does exactly the scalar loop's operations for its row in the
 * same order (lane-wise max and min are {@link Math#max} and {@link Math#min}; a separate multiply and add, no
 * fused multiply-add), so the values are the same bit for bit. Loaded only when
 * {@link dev.engram.model.kernel.Kernels#vector()}.
 */
final class VectorRelax {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorRelax() {
    }

    /**
     * {@link BackwardPass}'s relaxation of one layer for rows {@code [0, rows)} when {@code rows} is at least the
     * vector length (returns {@code rows}), else nothing (returns 0): for each group of rows, unit by unit, the
     * relaxation of unit o's coefficients {@code at[o * rows + k]} into {@code z[zo[o] + k]} and the group's sums
     * {@code c, sz, e}. The rows past the last whole group are done first as the group ending at the last row, from
     * the sums as they were, into copies: the groups after it redo the rows it shares with them from the same values
     * (the same z), and its own rows' sums are copied back at the end.
     */
    static int relax(double[] la, double[] lb, double[] ua, double[] ub, double[] b, double[] s, double[] at,
                     int rows, int out, int[] zo, double[] z, double[] c, double[] sz, double[] e) {
        if (rows < L) {
            return 0;
        }
        int full = rows / L * L;
        double[] ct = c;
        double[] st = sz;
        double[] et = e;
        if (full < rows) {
            ct = c.clone();
            st = sz.clone();
            et = e.clone();
            group(la, lb, ua, ub, b, s, at, rows, out, zo, z, ct, st, et, rows - L);
        }
        for (int k = 0; k < full; k += L) {
            group(la, lb, ua, ub, b, s, at, rows, out, zo, z, c, sz, e, k);
        }
        for (int k = full; k < rows; k++) {
            c[k] = ct[k];
            sz[k] = st[k];
            e[k] = et[k];
        }
        return rows;
    }

    /** Rows {@code [k, k + L)}: their sums held in registers while the units run. */
    private static void group(double[] la, double[] lb, double[] ua, double[] ub, double[] b, double[] s, double[] at,
                              int rows, int out, int[] zo, double[] z, double[] c, double[] sz, double[] e, int k) {
        DoubleVector zero = DoubleVector.zero(S);
        DoubleVector cv = DoubleVector.fromArray(S, c, k);
        DoubleVector sv = DoubleVector.fromArray(S, sz, k);
        DoubleVector ev = DoubleVector.fromArray(S, e, k);
        for (int o = 0; o < out; o++) {
            DoubleVector a = DoubleVector.fromArray(S, at, o * rows + k);
            DoubleVector p = a.max(zero);
            DoubleVector q = a.min(zero);
            DoubleVector zk = p.mul(la[o]).add(q.mul(ua[o]));
            DoubleVector v = p.mul(lb[o]).add(q.mul(ub[o]));
            DoubleVector zb = zk.mul(b[o]);
            cv = cv.add(v).add(zb);
            sv = sv.add(v.lanewise(VectorOperators.ABS)).add(zb.lanewise(VectorOperators.ABS));
            ev = ev.add(zk.lanewise(VectorOperators.ABS).mul(s[o]));
            zk.intoArray(z, zo[o] + k);
        }
        cv.intoArray(c, k);
        sv.intoArray(sz, k);
        ev.intoArray(e, k);
    }
}
