package dev.engram.verify.graph;

import dev.engram.verify.bounds.Deadline;

import java.util.List;

/**
 * α-CROWN (Xu et al., "Fast and Complete", ICLR 2021) and β-CROWN (Wang et al., "Beta-CROWN", NeurIPS 2021) on a
 * graph: lower bounds of {@code rows · ŷ} over a subdomain (the ranges' box where the ReLU splits hold), with free
 * parameters optimised by projected Adam ascent, one set per row:
 *
 * <ul>
 *   <li>α: the lower slope of each unstable ReLU element, in {@code [leak, 1]} (any such line lies below the
 *       activation on the element's whole range);
 *   <li>the tangent points of the lower and upper lines of S-curve elements (sigmoid, tanh) in their valid intervals
 *       ({@link SCurveBound#sides}), derivative {@code a · f''(d)(z^rel − d)};
 *   <li>β: one Lagrange multiplier {@code β_j >= 0} per split, which adds {@code −β_j ẑ_j} (active split,
 *       {@code ẑ_j >= 0}) or {@code +β_j ẑ_j} (inactive) to the objective at the split value as executed: a term that
 *       is at most 0 wherever the split holds, so the bound of the sum bounds the objective there (weak duality); for
 *       a split at a threshold t, {@code −β_j(ẑ_j − t)} or {@code +β_j(ẑ_j − t)}.
 * </ul>
 *
 * With the ranges fixed and the lines each coefficient meets fixed, the bound at the minimising input corner
 * {@code x*} is linear in each parameter, with derivative {@code a_i · z_i^rel(x*)} for a slope ({@code a_i} the
 * coefficient that met the line) and {@code ∓z_j^rel(x*)} for a multiplier, where {@code z^rel} is the value through
 * the same relaxations ({@link RelaxedPoints}). Every iterate is a valid bound; the best per row is kept.
 * Intermediate ranges are the caller's (a subdomain reuses its parent's, with the split elements clamped).
 */
final class BetaCrown {
    /** Adam learning rates of the slopes and of the multipliers. */
    private static final double ALPHA_RATE = Double.parseDouble(System.getProperty("engram.verify.alphaRate", "0.1"));
    /**
     * Steps of an optimised intermediate bound at which its tangent points move at the output's rate; with
     * {@code T} steps they move at {@code sqrt(TANGENT_HORIZON / T)} times it (the fixed-horizon step of a projected
     * subgradient method shrinks as {@code 1/sqrt(T)}). 0: always the output's rate.
     */
    private static final double TANGENT_HORIZON =
            Double.parseDouble(System.getProperty("engram.verify.tangentHorizon", "9"));
    private static final double BETA_RATE = Double.parseDouble(System.getProperty("engram.verify.betaRate", "0.05"));

    /**
     * The parameters: {@code alpha[value][row][k]} (null where no ReLU or S-curve), {@code beta[row][split]}, and
     * each multiplier's scale {@code scale[row][split]} (its Adam step is the rate times the scale: the magnitude of
     * the coefficient the split element met in the parent's bound, the order of a useful multiplier). A value's slopes
     * are dense ({@code index[value]} null: k is the element) or sparse: k-th slope of element {@code index[value][k]}
     * ({@link #sparse}); an element a sparse start does not hold starts at CROWN's adaptive slope.
     */
    record Params(double[][][] alpha, double[][] beta, double[][] scale, int[][] index) {
        Params(double[][][] alpha, double[][] beta, double[][] scale) {
            this(alpha, beta, scale, new int[alpha.length][]);
        }

        /**
         * These parameters with the slopes of each ReLU value cut down to its elements unstable on {@code ranges}
         * (the others are relaxed exactly on these ranges and on any subdomain of them: their slopes are never read,
         * so a bound started from the result is the same, bit for bit, as from these dense ones). S-curve tangent
         * points stay dense. The arrays held are shared with this, which nobody changes.
         */
        Params sparse(GraphBounds g, GraphBounds.Ranges ranges) {
            double[][][] a = alpha.clone();
            int[][] idx = index.clone();
            for (int o = 0; o < g.ops().size(); o++) {
                int v = 1 + o;
                if (!(g.ops().get(o) instanceof ReluBound) || alpha[v] == null || index[v] != null) {
                    continue;
                }
                Range z = ranges.values()[g.dag().nodes().get(o).arg(0)];
                int n = 0;
                int[] keep = new int[z.size()];
                for (int i = 0; i < z.size(); i++) {
                    if (z.lo()[i] < 0 && z.hi()[i] > 0) {
                        keep[n++] = i;
                    }
                }
                idx[v] = java.util.Arrays.copyOf(keep, n);
                a[v] = new double[alpha[v].length][n];
                for (int r = 0; r < alpha[v].length; r++) {
                    for (int k = 0; k < n; k++) {
                        a[v][r][k] = alpha[v][r][idx[v][k]];
                    }
                }
            }
            return new Params(a, beta, scale, idx);
        }

        /** Row r's slope of element i of ReLU value v, or NaN when not held (a sparse start, a stable element). */
        double slope(int v, int r, int i) {
            double[] row = alpha[v][Math.min(r, alpha[v].length - 1)];
            if (index[v] == null) {
                return row[i];
            }
            int k = java.util.Arrays.binarySearch(index[v], i);
            return k >= 0 ? row[k] : Double.NaN;
        }

        /** The bytes these parameters hold (array payloads), for the split searches' memory budget. */
        long bytes() {
            long b = 0;
            for (int v = 0; v < alpha.length; v++) {
                if (alpha[v] != null) {
                    for (double[] row : alpha[v]) {
                        b += 8L * row.length + 16;
                    }
                }
                b += index[v] == null ? 0 : 4L * index[v].length + 16;
            }
            for (int r = 0; r < beta.length; r++) {
                b += 16L * beta[r].length + 32;
            }
            return b;
        }
    }

    /**
     * The best bounds per row, the parameters of the last iterate (a warm start for subdomains), the coefficients
     * the last pass met at unstable ReLU elements ({@code [value][row][element]}, for branching), per row the
     * parameters of its best iterate (the warm start {@link SCurveSplitSearch} uses), and the input-space functions
     * the last pass chose ({@code [value][row]}, {@link InputHull}; where a pass of the same rows on a part of these
     * ranges may start: {@link Backward#warmHull}).
     */
    record Result(GraphBounds.Linear linear, Params params, double[][][] unstable, Params best,
                  InputHull.Chosen[][] hull) {
    }

    private BetaCrown() {
    }

    /**
     * Optimises for at most {@code steps} steps, or until some row's bound exceeds its {@code stop} value (then the
     * caller's conjunction is refuted). {@code start}: a warm start (its β may cover a prefix of {@code splits}), or
     * null for CROWN's adaptive slopes and β = 0; step 0 is the start's bound, so the result is never looser.
     */
    static Result optimise(GraphBounds g, GraphBounds.Ranges ranges, List<GraphBounds.Split> splits, double[][] rows,
                           double[] stop, int steps, Params start, Deadline deadline) {
        return optimise(g, ranges, g.output(), splits, rows, stop, steps, start, deadline);
    }

    /** {@link #optimise} for linear functions of value {@code target} (e.g. an intermediate value's elements). */
    static Result optimise(GraphBounds g, GraphBounds.Ranges ranges, int target, List<GraphBounds.Split> splits,
                           double[][] rows, double[] stop, int steps, Params start, Deadline deadline) {
        return optimise(g, ranges, target, splits, rows, stop, steps, start, ALPHA_RATE, 1, deadline);
    }

    /**
     * {@link #optimise} for an intermediate bound: Adam rate {@code reluRate} for the ReLU slopes and
     * {@code sqrt(TANGENT_HORIZON / steps)} times the output's for the tangent points: a few steps go further with
     * larger ones, many converge closer with smaller ones (eran's ffnnSIGMOID idx 1655: 3 steps took the nine root
     * margins from −5.2 … −10.6 to −1.4 … −5.2).
     */
    static Result optimise(GraphBounds g, GraphBounds.Ranges ranges, int target, List<GraphBounds.Split> splits,
                           double[][] rows, double[] stop, int steps, Params start, double reluRate,
                           Deadline deadline) {
        double tangent = TANGENT_HORIZON > 0 ? Math.sqrt(TANGENT_HORIZON / Math.max(1, steps)) : 1;
        return optimise(g, ranges, target, splits, rows, stop, steps, start, reluRate, tangent, deadline);
    }

    /**
     * {@link #optimise} with Adam rate {@code reluRate} for the ReLU slopes and {@code tangent} times the output's for
     * the tangent points.
     */
    private static Result optimise(GraphBounds g, GraphBounds.Ranges ranges, int target,
                                   List<GraphBounds.Split> splits, double[][] rows, double[] stop, int steps,
                                   Params start, double reluRate, double tangent, Deadline deadline) {
        DomainBatch one = new DomainBatch(List.of(new Domain(ranges, splits, start)), rows.length);
        return optimise(g, one, target, rows, stop, steps, reluRate, tangent, deadline).get(0);
    }

    /** One subdomain of a batch ({@link #optimiseAll}): its ranges, its splits, its warm start (null: none). */
    record Domain(GraphBounds.Ranges ranges, List<GraphBounds.Split> splits, Params start) {
    }

    /**
     * {@link #optimise} for several subdomains of one box at once: each step is one backward pass whose rows are
     * {@code rows} on each subdomain in turn ({@link DomainBatch}: each with its own ranges, splits, slopes and
     * multipliers, {@link Backward#bySubdomain}), so an operator's map is read once for all of them. No row's
     * arithmetic depends on another's, so each subdomain's result is the one {@link #optimise} gives it alone, bit for
     * bit (a batch of one is {@link #optimise}); a subdomain leaves the batch once some row's bound exceeds its
     * {@code stop} value. The graph must have no S-curve operator before the output when there are several
     * subdomains (their tangent points' valid intervals are per pass).
     */
    static List<Result> optimiseAll(GraphBounds g, List<Domain> domains, double[][] rows, double[] stop, int steps,
                                    Deadline deadline) {
        return optimise(g, new DomainBatch(domains, rows.length), g.output(), rows, stop, steps, ALPHA_RATE, 1,
                deadline);
    }

    /** The optimisation of a batch of subdomains ({@link #optimiseAll}; a batch of one: {@link #optimise}). */
    private static List<Result> optimise(GraphBounds g, DomainBatch b, int target, double[][] rows, double[] stop,
                                         int steps, double reluRate, double tangent, Deadline deadline) {
        int nv = g.dag().valueCount();
        int nd = b.domains.size();
        int all = b.rows();
        double[][][] met = new double[nv][][];
        SCurveBound.Sides[] sides = new SCurveBound.Sides[nv];
        double[][][] alpha = new double[nv][][];
        double[][] beta = new double[all][];
        double[][] scale = new double[all][];
        int[] last = BetaStart.initial(g, b, target, met, sides, alpha, beta, scale, steps);
        Adam adamA = new Adam(alpha, ALPHA_RATE, widths(sides, alpha, reluRate / ALPHA_RATE, tangent, all));
        Adam adamB = new Adam(new double[][][] {beta}, BETA_RATE, new double[][][] {scale});
        double[] bound = new double[all];
        java.util.Arrays.fill(bound, Double.NEGATIVE_INFINITY);
        double[][] coef = new double[all][];
        double[] constant = new double[all];
        Params best = new Params(new double[nv][][], new double[all][], scale);
        boolean[] done = new boolean[nd];
        Result[] out = new Result[nd];
        InputHull.Chosen[][] hull = new InputHull.Chosen[nv][all]; // per row, the functions its last pass chose
        for (int t = 0; ; t++) {
            int[] live = b.live(done);
            Backward pb = BetaStart.pass(b, live, DomainBatch.select(alpha, live), sides, DomainBatch.select(beta, live),
                    nv);
            pb.warmHull = DomainBatch.select(hull, live);
            pb.unstable = DomainBatch.select(met, live);
            for (double[][] mv : pb.unstable) {
                for (int i = 0; mv != null && i < mv.length; i++) {
                    java.util.Arrays.fill(mv[i], 0);
                }
            }
            GraphBounds.Ranges shared = b.of(live[0]).ranges();
            GraphBounds.Linear lin = g.pass(shared, target, DomainBatch.objective(rows, live, b.m), pb);
            for (int v = 0; pb.hull != null && v < nv; v++) {
                for (int i = 0; pb.hull[v] != null && i < live.length; i++) {
                    hull[v][live[i]] = pb.hull[v][i];
                }
            }
            for (int i = 0; i < live.length; i++) {
                int r = live[i];
                if (lin.bound()[i] > bound[r] || coef[r] == null) {
                    bound[r] = lin.bound()[i];
                    coef[r] = lin.coef()[i];
                    constant[r] = lin.constant()[i];
                    keep(alpha, beta, r, best);
                }
            }
            boolean more = false;
            for (int d = 0; d < nd; d++) {
                if (!done[d] && (t >= last[d] || reached(bound, stop, d * b.m) || deadline.passed())) {
                    done[d] = true;
                    out[d] = new Result(new GraphBounds.Linear(b.slice(bound, d), b.slice(coef, d),
                            b.slice(constant, d)), new Params(b.slice(alpha, d), b.slice(beta, d), b.slice(scale, d)),
                            b.slice(met, d), new Params(b.slice(best.alpha(), d), b.slice(best.beta(), d),
                            b.slice(scale, d)), b.slice(hull, d));
                }
                more |= !done[d];
            }
            if (!more) {
                return List.of(out);
            }
            double[][][] gradA = new double[nv][][];
            double[][] gradB = new double[all][];
            gradients(g, shared, target, b.splits(live), lin, pb, live, gradA, gradB);
            adamA.ascend(gradA, t + 1);
            adamB.ascend(new double[][][] {gradB}, t + 1);
            project(g, alpha, beta, sides);
        }
    }

    /** Copies row r's parameters into {@code best}. */
    private static void keep(double[][][] alpha, double[][] beta, int r, Params best) {
        for (int v = 0; v < alpha.length; v++) {
            if (alpha[v] != null) {
                if (best.alpha()[v] == null) {
                    best.alpha()[v] = new double[alpha[v].length][];
                }
                best.alpha()[v][r] = alpha[v][r].clone();
            }
        }
        best.beta()[r] = beta[r].clone();
    }

    /**
     * The bound's derivatives at each row's minimising corner: {@code a_i · z_i^rel(x*)} for the slopes
     * (into {@code gradA}, allocated here) and {@code ∓z_j^rel(x*)} for the multipliers (into {@code gradB}).
     */
    private static void gradients(GraphBounds g, GraphBounds.Ranges ranges, int target,
                                  List<GraphBounds.Split>[] rowSplits, GraphBounds.Linear lin, Backward pb, int[] live,
                                  double[][][] gradA, double[][] gradB) {
        double[][][] met = pb.unstable;
        int m = live.length;
        for (int v = 0; v < gradA.length; v++) {
            if (pb.alpha[v] != null) {
                gradA[v] = new double[gradB.length][]; // rows out of the batch stay null: Adam leaves them
                for (int r = 0; r < m; r++) {
                    gradA[v][live[r]] = new double[pb.alpha[v][r].length];
                }
            }
        }
        double[][] xs = new double[m][];
        for (int r = 0; r < m; r++) {
            gradB[live[r]] = new double[rowSplits[r].size()];
            xs[r] = minimiser(lin.coef()[r], pb.ranges(r, ranges).values()[0]);
        }
        double[][][] zs = RelaxedPoints.of(g, ranges, target, xs, pb);
        for (int r = 0; r < m; r++) {
            double[][] z = zs[r];
            int q = live[r];
            for (int v = 1; v < gradA.length; v++) {
                if (gradA[v] == null) {
                    continue;
                }
                double[] zu = z[g.dag().nodes().get(v - 1).arg(0)];
                if (g.ops().get(v - 1) instanceof SCurveBound curve) {
                    curve.gradient(zu, met[v][r], pb.alpha[v][r], pb.sides[v], gradA[v][q]);
                    continue;
                }
                double[] a = met[v][r];
                for (int i = 0; i < a.length; i++) {
                    if (a[i] > 0) {
                        gradA[v][q][i] = a[i] * zu[i];
                    }
                }
            }
            List<GraphBounds.Split> splits = rowSplits[r];
            for (int j = 0; j < splits.size(); j++) {
                GraphBounds.Split s = splits.get(j);
                double zj = z[s.value()][s.element()];
                gradB[q][j] = s.active() ? s.threshold() - zj : zj - s.threshold();
            }
        }
    }

    /** Slopes back into {@code [leak, 1]}, tangent points into their intervals, multipliers into {@code [0, ∞)}. */
    private static void project(GraphBounds g, double[][][] alpha, double[][] beta, SCurveBound.Sides[] sides) {
        for (int v = 1; v < alpha.length; v++) {
            if (alpha[v] == null) {
                continue;
            }
            if (sides[v] != null) {
                for (double[] row : alpha[v]) {
                    for (int k = 0; k < row.length; k++) {
                        if (sides[v].free(k)) {
                            row[k] = sides[v].clamp(k, row[k]);
                        }
                    }
                }
                continue;
            }
            double leak = ((ReluBound) g.ops().get(v - 1)).leak();
            for (double[] row : alpha[v]) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = Math.min(1, Math.max(leak, row[i]));
                }
            }
        }
        for (double[] row : beta) {
            for (int j = 0; j < row.length; j++) {
                row[j] = Math.max(0, row[j]);
            }
        }
    }

    /**
     * The Adam step scales of the tangent points: {@code tangent} times the width of each one's valid interval (shared
     * by the rows); of the ReLU slopes: {@code relu} (null where it is 1).
     */
    private static double[][][] widths(SCurveBound.Sides[] sides, double[][][] alpha, double relu, double tangent,
                                       int m) {
        double[][][] scale = new double[sides.length][][];
        for (int v = 0; v < sides.length; v++) {
            if (sides[v] == null && alpha[v] != null && relu != 1 && alpha[v].length > 0) {
                double[] w = new double[alpha[v][0].length];
                java.util.Arrays.fill(w, relu);
                scale[v] = new double[m][];
                java.util.Arrays.fill(scale[v], w);
            }
            if (sides[v] != null) {
                double[] w = new double[sides[v].lo().length];
                for (int k = 0; k < w.length; k++) {
                    w[k] = sides[v].free(k) ? (sides[v].hi()[k] - sides[v].lo()[k]) * tangent : 0;
                }
                scale[v] = new double[m][];
                java.util.Arrays.fill(scale[v], w);
            }
        }
        return scale;
    }

    /** Whether some row {@code from + r} has its bound above {@code stop[r]}. */
    private static boolean reached(double[] bound, double[] stop, int from) {
        for (int r = 0; r < stop.length; r++) {
            if (bound[from + r] > stop[r]) {
                return true;
            }
        }
        return false;
    }

    static double[] minimiser(double[] coef, Range box) {
        double[] x = new double[coef.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = coef[i] >= 0 ? box.lo()[i] : box.hi()[i];
        }
        return x;
    }

    static double[][] copy(double[][] rows) {
        double[][] c = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            c[r] = rows[r].clone();
        }
        return c;
    }
}
