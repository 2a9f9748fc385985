package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;

import java.util.List;

/**
 * The values of a graph at given inputs through the linear relaxations a backward pass used (the points at which
 * {@link BetaCrown}'s bound is linear in each free parameter): the forward half of an α/β step, beside
 * {@link GraphBounds}' backward passes.
 */
final class RelaxedPoints {
    private RelaxedPoints() {
    }

    /**
     * For each row r, every value at input {@code xs[r]} through the linear relaxations that row r of pass {@code pb}
     * used (ReLU and S-curve elements: the line its coefficient met; other operators: exact), as
     * {@code [row][value][element]}; the affine operators run on all rows at once. The bound of row r is linear in each slope α and each
     * split multiplier β with these values as the derivatives' factors ({@code a·ẑ_rel(x*)}), which is what
     * {@link BetaCrown} ascends along.
     */
    static double[][][] of(GraphBounds g, GraphBounds.Ranges ranges, int target, double[][] xs, Backward pb) {
        Dag dag = g.dag();
        List<BoundOp> ops = g.ops();
        int nv = dag.valueCount();
        int rows = xs.length;
        double[][][] val = new double[nv][][];
        val[0] = xs;
        for (int k = 0; k < target; k++) {
            int v = 1 + k;
            BoundOp op = ops.get(k);
            int[] a = dag.nodes().get(k).args();
            if (op instanceof AffineOp affine) {
                val[v] = affine.apply(val[a[0]]);
                continue;
            }
            val[v] = new double[rows][];
            for (int r = 0; r < rows; r++) {
                Range z = pb.ranges(r, ranges).values()[a[0]];
                double[] met = pb.unstable == null || pb.unstable[v] == null ? null : pb.unstable[v][r];
                double[] p = pb.alpha == null || pb.alpha[v] == null ? null : pb.alpha[v][r];
                if (op instanceof ReluBound relu) {
                    val[v][r] = relu.relaxed(val[a[0]][r], z, met, p);
                    if (pb.hull != null && pb.hull[v] != null && pb.hull[v][r] != null) {
                        pb.hull[v][r].apply(xs[r], val[v][r]);
                    }
                } else if (op instanceof SCurveBound curve) {
                    val[v][r] = curve.relaxed(val[a[0]][r], z, met, p, pb.sides == null ? null : pb.sides[v]);
                } else {
                    val[v][r] = exact(op, val, a, r);
                }
            }
        }
        double[][][] out = new double[rows][nv][];
        for (int v = 0; v < nv; v++) {
            if (val[v] != null) {
                for (int r = 0; r < rows; r++) {
                    out[r][v] = val[v][r];
                }
            }
        }
        return out;
    }

    /** Operator {@code op} at the point of row r of its arguments' values (the midpoint of its point interval). */
    private static double[] exact(BoundOp op, double[][][] val, int[] a, int r) {
        Range[] pts = new Range[a.length];
        for (int i = 0; i < a.length; i++) {
            pts[i] = new Range(val[a[i]][r], val[a[i]][r]);
        }
        double[] lo = new double[op.size()];
        double[] hi = new double[op.size()];
        op.interval(pts, lo, hi);
        for (int i = 0; i < lo.length; i++) {
            lo[i] = 0.5 * lo[i] + 0.5 * hi[i];
        }
        return lo;
    }
}
