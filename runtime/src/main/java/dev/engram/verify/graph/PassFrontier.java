package dev.engram.verify.graph;

/**
 * A backward pass stopped before relaxing value {@code at}: the coefficients still to be relaxed (values up to
 * {@code at}, null where none) and the constants and magnitudes collected above it. Resuming it on ranges that differ
 * from the stopped pass's only in values that no operator after {@code at} reads, with the same pass state below
 * {@code at}, gives that pass's result on those ranges ({@link #resume}): FSB's candidate children share their parent's
 * pass down to the candidate's last reader ({@link SmartBranching}).
 */
record PassFrontier(int at, double[][][] coef, double[] constant, double[] magnitude) {

    /**
     * The frontiers of one backward pass of {@code g} from {@code target} with rows {@code a} (consumed) before each
     * value of {@code at} (in any order; entries of the result in the same order).
     */
    static PassFrontier[] of(GraphBounds g, GraphBounds.Ranges ranges, int target, double[][] a, Backward pb,
                             int[] at) {
        int nv = g.dag().valueCount();
        double[][][] coef = new double[nv][][];
        coef[target] = a;
        int[] order = at.clone();
        java.util.Arrays.sort(order);
        PassFrontier[] byValue = new PassFrontier[nv];
        int from = target;
        for (int k = order.length - 1; k >= 0; k--) {
            int v = order[k];
            if (byValue[v] != null) {
                continue;
            }
            g.descend(ranges, coef, from, v + 1, pb);
            from = v;
            double[][][] held = new double[v + 1][][];
            for (int u = 0; u <= v; u++) {
                held[u] = coef[u] == null ? null : BetaCrown.copy(coef[u]);
            }
            byValue[v] = new PassFrontier(v, held, pb.constant.clone(), pb.magnitude.clone());
        }
        PassFrontier[] out = new PassFrontier[at.length];
        for (int k = 0; k < at.length; k++) {
            out[k] = byValue[at[k]];
        }
        return out;
    }

    /**
     * {@link #resume} of this one-row frontier for several subdomains at once: row i of pass state {@code pb} (made by
     * {@link BetaStart#firstPassAll}, each row on its own ranges) resumes this row; {@code shared} is the first
     * subdomain's ranges. Each row's result is {@link #resume}'s for its subdomain, bit for bit.
     */
    GraphBounds.Linear resumeAll(GraphBounds g, GraphBounds.Ranges shared, Backward pb) {
        int n = pb.rows();
        double[][][] c = new double[g.dag().valueCount()][][];
        for (int u = 0; u < coef.length; u++) {
            if (coef[u] != null) {
                c[u] = new double[n][];
                for (int i = 0; i < n; i++) {
                    c[u][i] = coef[u][0].clone();
                }
            }
        }
        java.util.Arrays.fill(pb.constant, constant[0]);
        java.util.Arrays.fill(pb.magnitude, magnitude[0]);
        g.descend(shared, c, at, 1, pb);
        return g.atInput(shared, c[0], n, pb);
    }

    /** The rest of the pass stopped here (not changed), on {@code ranges} of {@code g} with pass state {@code pb}. */
    GraphBounds.Linear resume(GraphBounds g, GraphBounds.Ranges ranges, Backward pb) {
        double[][][] c = new double[g.dag().valueCount()][][];
        for (int u = 0; u < coef.length; u++) {
            c[u] = coef[u] == null ? null : BetaCrown.copy(coef[u]);
        }
        System.arraycopy(constant, 0, pb.constant, 0, pb.constant.length);
        System.arraycopy(magnitude, 0, pb.magnitude, 0, pb.magnitude.length);
        g.descend(ranges, c, at, 1, pb);
        return g.atInput(ranges, c[0], pb.rows(), pb);
    }
}
