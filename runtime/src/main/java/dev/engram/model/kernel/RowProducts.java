package dev.engram.model.kernel;

/**
 * Rows times a matrix in double, as the backward bound passes need it: for every row k and column i,
 * {@code prev[k][i] = Σ_j z[j * rows + k] · w[units[j] * in + i]}, the sum over j in order from +0, each product
 * rounded and then added (no fused multiply-add). On the Vector API ({@link VectorRows}, register-blocked: a tile of
 * rows x columns stays in registers while j runs) when {@link Kernels#vector()}, else in scalar code; the two give the
 * same values bit for bit (every sum is the same sequence of roundings).
 */
public final class RowProducts {

    /**
     * Entries a weight array should carry after its last row (zeros): the vector kernel then computes the columns past
     * its last whole vector with one more vector, whose extra lanes it drops.
     */
    public static final int PAD = 16;

    private RowProducts() {
    }

    /**
     * Writes the products into {@code prev} ({@code rows} arrays of at least {@code in} entries, which must hold +0
     * where they are written: the sums start from them). {@code z} holds, for each of the {@code n} units used, its
     * coefficient for every row ({@code z[j * rows + k]}); {@code units[j]} is its row of the weights
     * {@code w[o * in + i]}, in increasing order ({@code w} best padded by {@link #PAD} entries after the last row).
     */
    public static void products(double[] z, int rows, int[] units, int n, double[] w, int in, double[][] prev) {
        if (Kernels.vector()) {
            VectorRows.products(z, rows, units, n, w, in, prev);
        } else {
            scalar(z, rows, units, n, w, in, prev, 0, 0);
        }
    }

    /**
     * The plain loops for rows {@code [k0, rows)} and columns {@code [i0, in)}: unit by unit, each row's
     * {@code prev[k] += z w_o} (the reference order), four rows per pass over the weights ({@link VectorRows} uses it
     * for the columns its tiles leave).
     */
    static void scalar(double[] z, int rows, int[] units, int n, double[] w, int in, double[][] prev, int k0,
                       int i0) {
        for (int j = 0; j < n; j++) {
            int wb = units[j] * in;
            int zj = j * rows;
            int k = k0;
            for (; k + 3 < rows; k += 4) {
                double[] p0 = prev[k];
                double[] p1 = prev[k + 1];
                double[] p2 = prev[k + 2];
                double[] p3 = prev[k + 3];
                double z0 = z[zj + k];
                double z1 = z[zj + k + 1];
                double z2 = z[zj + k + 2];
                double z3 = z[zj + k + 3];
                for (int i = i0; i < in; i++) {
                    double wi = w[wb + i];
                    p0[i] += z0 * wi;
                    p1[i] += z1 * wi;
                    p2[i] += z2 * wi;
                    p3[i] += z3 * wi;
                }
            }
            for (; k < rows; k++) {
                double zk = z[zj + k];
                double[] p = prev[k];
                for (int i = i0; i < in; i++) {
                    p[i] += zk * w[wb + i];
                }
            }
        }
    }

}
