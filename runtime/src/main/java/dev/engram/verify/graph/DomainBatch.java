package dev.engram.verify.graph;

import java.util.List;

/**
 * The row layout of several subdomains bounded in one backward pass ({@link BetaCrown#optimiseAll}): row
 * {@code d·m + r} is row r of the objective on domain d, with that domain's ranges and splits. The parameter arrays
 * are laid out by these rows; a step's pass takes the rows of the domains still being optimised ({@link #live}),
 * as views of the same row arrays, so what the pass writes lands in the whole batch's arrays.
 */
final class DomainBatch {
    final List<BetaCrown.Domain> domains;
    /** Rows per domain. */
    final int m;

    DomainBatch(List<BetaCrown.Domain> domains, int m) {
        this.domains = domains;
        this.m = m;
    }

    int rows() {
        return domains.size() * m;
    }

    BetaCrown.Domain of(int row) {
        return domains.get(row / m);
    }

    /** The rows of the domains not {@code done}, in order. */
    int[] live(boolean[] done) {
        int n = 0;
        for (boolean d : done) {
            n += d ? 0 : m;
        }
        int[] rows = new int[n];
        int k = 0;
        for (int d = 0; d < done.length; d++) {
            for (int r = 0; !done[d] && r < m; r++) {
                rows[k++] = d * m + r;
            }
        }
        return rows;
    }

    /** Per value, the given rows of {@code x} (the same row arrays; null values stay null). */
    static double[][][] select(double[][][] x, int[] rows) {
        double[][][] out = new double[x.length][][];
        for (int v = 0; v < x.length; v++) {
            if (x[v] != null) {
                out[v] = select(x[v], rows);
            }
        }
        return out;
    }

    /** Per value, the given rows' functions of {@code x} (the same objects). */
    static InputHull.Chosen[][] select(InputHull.Chosen[][] x, int[] rows) {
        InputHull.Chosen[][] out = new InputHull.Chosen[x.length][rows.length];
        for (int v = 0; v < x.length; v++) {
            for (int i = 0; i < rows.length; i++) {
                out[v][i] = x[v][rows[i]];
            }
        }
        return out;
    }

    /** The given rows of {@code x} (the same row arrays). */
    static double[][] select(double[][] x, int[] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = x[rows[i]];
        }
        return out;
    }

    /** The splits of each of the given rows. */
    List<GraphBounds.Split>[] splits(int[] rows) {
        @SuppressWarnings("unchecked")
        List<GraphBounds.Split>[] out = new List[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = of(rows[i]).splits();
        }
        return out;
    }

    /** The ranges of each of the given rows. */
    GraphBounds.Ranges[] ranges(int[] rows) {
        GraphBounds.Ranges[] out = new GraphBounds.Ranges[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = of(rows[i]).ranges();
        }
        return out;
    }

    /** {@code rows} copied for each of the given rows (a pass consumes its coefficient rows). */
    static double[][] objective(double[][] rows, int[] live, int m) {
        double[][] out = new double[live.length][];
        for (int i = 0; i < live.length; i++) {
            out[i] = rows[live[i] % m].clone();
        }
        return out;
    }

    /** Domain d's rows of {@code x} per value, each row copied (the batch goes on changing its own). */
    double[][][] slice(double[][][] x, int d) {
        double[][][] out = new double[x.length][][];
        for (int v = 0; v < x.length; v++) {
            if (x[v] != null) {
                out[v] = slice(x[v], d);
            }
        }
        return out;
    }

    /** Domain d's rows of {@code x}, each row copied (null rows stay null). */
    double[][] slice(double[][] x, int d) {
        double[][] out = new double[m][];
        for (int r = 0; r < m; r++) {
            double[] row = x[d * m + r];
            out[r] = row == null ? null : row.clone();
        }
        return out;
    }

    /** Domain d's rows of {@code x} per value (the same objects). */
    InputHull.Chosen[][] slice(InputHull.Chosen[][] x, int d) {
        InputHull.Chosen[][] out = new InputHull.Chosen[x.length][];
        for (int v = 0; v < x.length; v++) {
            out[v] = java.util.Arrays.copyOfRange(x[v], d * m, d * m + m);
        }
        return out;
    }

    /** Domain d's entries of {@code x}. */
    double[] slice(double[] x, int d) {
        return java.util.Arrays.copyOfRange(x, d * m, d * m + m);
    }
}
