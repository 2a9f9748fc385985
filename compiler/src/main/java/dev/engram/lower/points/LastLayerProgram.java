package dev.engram.lower.points;

import dev.engram.lower.repair.LinearProgram;
import dev.engram.model.DenseLayer;
import dev.engram.verify.Box;

/**
 * The LP over the output layer's change {@code ΔW, Δb} (the layers before it fixed, so the output layer's input is
 * fixed for a point and bounded for a box: the one-layer repair of APRNN, Tao et al., PLDI 2023, and of PRDNN,
 * Sotoudeh and Thakur, PLDI 2021, on the last layer, where both are an LP). Variables: each delta as the difference of
 * two non-negative parts, whose sum is the objective (the L1 norm of the change); one slack per kept input, costed
 * by {@code keepWeight}. Rows, for output {@code y} that must beat {@code j}, with {@code A = W_y − W_j}, {@code c =
 * b_y − b_j} and {@code δ = ΔW_y − ΔW_j}:
 * <ul>
 *   <li>a point with features {@code h}: {@code (A + δ)·h + c + Δb_y − Δb_j ≥ clearance};</li>
 *   <li>a box {@code h ∈ [l, u]}: the least value over the box, {@code Σ_i min((A_i + δ_i) l_i, (A_i + δ_i) u_i)},
 *       with one variable {@code s_i ≤ (A_i + δ_i) l_i, s_i ≤ (A_i + δ_i) u_i} per feature whose bounds differ: the
 *       exact minimum over the box, so the row holds exactly when the output layer decides {@code y} on all of it;</li>
 *   <li>a kept input (its decision {@code y} before the change): the point row with its slack.</li>
 * </ul>
 */
final class LastLayerProgram implements AutoCloseable {
    private final LinearProgram lp = LinearProgram.create();
    private final DenseLayer out;
    private final int in;
    private final int[][] pos;
    private final int[][] neg;

    LastLayerProgram(DenseLayer out) {
        this.out = out;
        this.in = out.inputSize();
        int m = out.outputSize();
        pos = new int[m][in + 1];
        neg = new int[m][in + 1];
        for (int o = 0; o < m; o++) {
            for (int i = 0; i <= in; i++) { // i == in: the bias
                pos[o][i] = lp.variable(0, Double.POSITIVE_INFINITY, 1);
                neg[o][i] = lp.variable(0, Double.POSITIVE_INFINITY, 1);
            }
        }
    }

    /**
     * {@code y} beats {@code j} at features {@code h} by {@code clearance} ({@code j = }{@link #ZERO}: output
     * {@code y} exceeds zero, for a ReLU output layer); a slack costed {@code weight} if > 0.
     */
    void point(double[] h, int y, int j, double clearance, double weight) {
        int extra = weight > 0 ? 1 : 0;
        int[] vars = new int[4 * (in + 1) + extra];
        double[] coef = new double[vars.length];
        double base = out.bias()[y] - bias(j);
        for (int i = 0; i <= in; i++) {
            double hi = i == in ? 1 : h[i];
            if (i < in) {
                base += ((double) out.weight()[y][i] - weight(j, i)) * hi;
            }
            put(vars, coef, 4 * i, y, j, i, hi);
        }
        if (extra == 1) {
            vars[vars.length - 1] = lp.variable(0, Double.POSITIVE_INFINITY, weight);
            coef[vars.length - 1] = 1;
        }
        lp.row(clearance - base, Double.POSITIVE_INFINITY, vars, coef);
    }

    /** {@code y} beats {@code j} by {@code clearance} at every feature vector of {@code h}. */
    void box(Box h, int y, int j, double clearance) {
        int[] sum = new int[4 * (in + 1) + in];
        double[] sumCoef = new double[sum.length];
        int n = 0;
        double base = out.bias()[y] - bias(j);
        for (int i = 0; i < in; i++) {
            double a = (double) out.weight()[y][i] - weight(j, i);
            double lo = h.lo()[i];
            double up = h.hi()[i];
            if (up - lo <= NARROW * (1 + Math.abs(lo))) { // rounding-width bounds: the midpoint, the width paid
                double mid = (lo + up) / 2;
                base += a * mid - (Math.abs(a) + 1) * (up - lo);
                put(sum, sumCoef, n, y, j, i, mid);
                n += 4;
                continue;
            }
            int s = lp.variable(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0);
            for (double v : new double[]{lo, up}) { // s - v·δ_i <= a·v
                int[] vars = new int[5];
                double[] coef = new double[5];
                put(vars, coef, 0, y, j, i, -v);
                vars[4] = s;
                coef[4] = 1;
                lp.row(Double.NEGATIVE_INFINITY, a * v, vars, coef);
            }
            sum[n] = s;
            sumCoef[n++] = 1;
        }
        put(sum, sumCoef, n, y, j, in, 1);
        n += 4;
        lp.row(clearance - base, Double.POSITIVE_INFINITY, java.util.Arrays.copyOf(sum, n),
                java.util.Arrays.copyOf(sumCoef, n));
    }

    /**
     * Feature bounds at most this much apart (relative) are float32 rounding, not the box: such a feature is taken at
     * its midpoint with the width paid from the clearance ({@code (|A_i| + 1)·(u − l)}, the change's share assumed
     * below 1), which keeps the LP well conditioned; the verifier proves the result on the written file either way.
     */
    static final double NARROW = 1e-5;

    /** The second output of a comparison that is zero (a ReLU output layer: the label's value must exceed it). */
    static final int ZERO = -1;

    private double bias(int j) {
        return j == ZERO ? 0 : out.bias()[j];
    }

    private double weight(int j, int i) {
        return j == ZERO ? 0 : out.weight()[j][i];
    }

    /** Writes {@code v·(ΔW_y,i − ΔW_j,i)} as four signed parts at {@code at} (zero coefficients are not stored). */
    private void put(int[] vars, double[] coef, int at, int y, int j, int i, double v) {
        vars[at] = pos[y][i];
        coef[at] = v;
        vars[at + 1] = neg[y][i];
        coef[at + 1] = -v;
        vars[at + 2] = j == ZERO ? pos[y][i] : pos[j][i];
        coef[at + 2] = j == ZERO ? 0 : -v;
        vars[at + 3] = j == ZERO ? neg[y][i] : neg[j][i];
        coef[at + 3] = j == ZERO ? 0 : v;
    }

    /** The change ({@code [out][in + 1]}, the last column the bias), or null when the LP has no solution. */
    double[][] solve(double seconds) {
        return change(lp.solve(seconds), pos, neg);
    }

    /**
     * A layer's change {@code [unit][in + 1]} from a solution whose variables {@code pos[o][i] - neg[o][i]} are the
     * change of weight {@code i} (the last: the bias) of unit {@code o}; null when there is no solution.
     */
    static double[][] change(LinearProgram.Solution s, int[][] pos, int[][] neg) {
        if (!s.found()) {
            return null;
        }
        double[][] d = new double[pos.length][];
        for (int o = 0; o < pos.length; o++) {
            d[o] = new double[pos[o].length];
            for (int i = 0; i < pos[o].length; i++) {
                d[o][i] = s.values()[pos[o][i]] - s.values()[neg[o][i]];
            }
        }
        return d;
    }

    @Override
    public void close() {
        lp.close();
    }
}
