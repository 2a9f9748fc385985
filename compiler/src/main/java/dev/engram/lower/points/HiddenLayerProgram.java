package dev.engram.lower.points;

import dev.engram.lower.repair.LinearProgram;
import dev.engram.model.DenseLayer;

/**
 * The LP over one earlier layer's change {@code ΔW, Δb} (APRNN's one-layer LP, Tao et al., PLDI 2023). Variables:
 * each delta as the difference of two non-negative parts, whose sum is the objective (the L1 norm of the change,
 * each weight costed by how large its input is on the kept data: see {@link HiddenLayerRepair#costs});
 * per input {@code x} that enters, one variable {@code t_i} per unit {@code i}, its pre-activation change,
 * {@code t_i = ΔW_i·h(x) + Δb_i} (one equality row per unit, with {@code h(x)} the layer's input, not changed by the
 * repair). Every other row is over the {@code t} of one input ({@link Linearised}: with the activation pattern from
 * this layer on fixed, the outputs are affine in {@code t}), with a slack costed {@code weight} for kept inputs.
 */
final class HiddenLayerProgram implements AutoCloseable {
    private final LinearProgram lp = LinearProgram.create();
    private final int in;
    private final int[][] pos;
    private final int[][] neg;

    /**
     * The program over {@code layer}'s change; {@code cost[i]} is the objective's weight of every weight reading
     * input {@code i} (the bias: 1).
     */
    HiddenLayerProgram(DenseLayer layer, double[] cost) {
        this.in = layer.inputSize();
        int m = layer.outputSize();
        pos = new int[m][in + 1];
        neg = new int[m][in + 1];
        for (int o = 0; o < m; o++) {
            for (int i = 0; i <= in; i++) { // i == in: the bias
                double c = i == in ? 1 : cost[i];
                pos[o][i] = lp.variable(0, Double.POSITIVE_INFINITY, c);
                neg[o][i] = lp.variable(0, Double.POSITIVE_INFINITY, c);
            }
        }
    }

    /**
     * The variables {@code t} of an input whose layer input is {@code h}, each within {@code [lo_i, hi_i]}
     * (infinite: free); inputs of value 0 add no coefficient.
     */
    int[] changes(double[] h, double[] lo, double[] hi) {
        int[] t = new int[pos.length];
        int nz = 0;
        for (double v : h) {
            nz += v != 0 ? 1 : 0;
        }
        for (int o = 0; o < t.length; o++) {
            t[o] = lp.variable(lo[o], hi[o], 0);
            int[] vars = new int[2 * nz + 3];
            double[] coef = new double[vars.length];
            int n = 0;
            for (int i = 0; i <= in; i++) {
                double v = i == in ? 1 : h[i];
                if (v != 0) {
                    vars[n] = pos[o][i];
                    coef[n++] = -v;
                    vars[n] = neg[o][i];
                    coef[n++] = v;
                }
            }
            vars[n] = t[o];
            coef[n++] = 1;
            lp.row(0, 0, java.util.Arrays.copyOf(vars, n), java.util.Arrays.copyOf(coef, n));
        }
        return t;
    }

    /** {@code lo <= Σ c_i t_i (+ slack) <= hi}; a slack costed {@code weight} when {@code weight > 0}. */
    void row(int[] t, double[] c, double lo, double hi, double weight) {
        int[] vars = new int[t.length + 1];
        double[] coef = new double[vars.length];
        int n = 0;
        for (int i = 0; i < t.length; i++) {
            if (c[i] != 0) {
                vars[n] = t[i];
                coef[n++] = c[i];
            }
        }
        if (weight > 0) {
            vars[n] = lp.variable(0, Double.POSITIVE_INFINITY, weight);
            coef[n++] = 1;
        }
        lp.row(lo, hi, java.util.Arrays.copyOf(vars, n), java.util.Arrays.copyOf(coef, n));
    }

    /**
     * {@code Σ_i c_i (ΔW_i·h + Δb_i) + slack >= lo} written over the deltas directly (one row, no {@code t}: for kept
     * inputs, which need one or two such rows, not one per unit); a slack costed {@code weight}.
     */
    void direct(double[] h, double[] c, double lo, double weight) {
        int nz = 1;
        for (double v : h) {
            nz += v != 0 ? 1 : 0;
        }
        int units = 0;
        for (double v : c) {
            units += v != 0 ? 1 : 0;
        }
        int[] vars = new int[2 * nz * units + 1];
        double[] coef = new double[vars.length];
        int n = 0;
        for (int o = 0; o < c.length; o++) {
            if (c[o] == 0) {
                continue;
            }
            for (int i = 0; i <= in; i++) {
                double v = i == in ? 1 : h[i];
                if (v != 0) {
                    vars[n] = pos[o][i];
                    coef[n++] = c[o] * v;
                    vars[n] = neg[o][i];
                    coef[n++] = -c[o] * v;
                }
            }
        }
        vars[n] = lp.variable(0, Double.POSITIVE_INFINITY, weight);
        coef[n++] = 1;
        lp.row(lo, Double.POSITIVE_INFINITY, java.util.Arrays.copyOf(vars, n), java.util.Arrays.copyOf(coef, n));
    }

    /** The least change {@code [unit][in + 1]} (the last column: the bias), or null when there is none. */
    double[][] solve(double seconds) {
        return LastLayerProgram.change(lp.solve(seconds), pos, neg);
    }

    @Override
    public void close() {
        lp.close();
    }
}
