package dev.engram.verify.graph;

import java.util.List;

/**
 * Where {@link BetaCrown}'s optimisation starts and the state of each of its passes: the slopes (a warm start's, else
 * CROWN's adaptive choice), the tangent points of S-curves, the split multipliers and their Adam scales, laid out by
 * the rows of a batch of subdomains ({@link DomainBatch}); and a pass's state from them: β's split terms as extra
 * coefficients of the split values, their thresholds' constants, and each row's subdomain's ranges.
 */
final class BetaStart {
    private BetaStart() {
    }

    /**
     * The start of a batch's optimisation: each domain's slopes and multipliers into {@code alpha}, {@code beta},
     * {@code scale} (its rows), {@code met} and {@code sides} allocated; per domain, its last step: {@code steps}, or
     * 0 when it has nothing to optimise (CROWN's bound).
     */
    static int[] initial(GraphBounds g, DomainBatch b, int target, double[][][] met, SCurveBound.Sides[] sides,
                                 double[][][] alpha, double[][] beta, double[][] scale, int steps) {
        int nv = met.length;
        int m = b.m;
        int nd = b.domains.size();
        int[] last = new int[nd];
        for (int d = 0; d < nd; d++) {
            BetaCrown.Domain dom = b.domains.get(d);
            int k = dom.splits().size();
            double[][][] metD = new double[nv][][];
            SCurveBound.Sides[] sidesD = new SCurveBound.Sides[nv];
            double[][][] alphaD = initialAlpha(g, dom.ranges(), target, m, dom.start(), metD, sidesD);
            double[][] betaD = new double[m][k];
            double[][] scaleD = new double[m][k];
            initialBeta(dom.start(), betaD, scaleD);
            boolean free = k > 0;
            for (int v = 0; v < nv; v++) {
                free |= alphaD[v] != null;
                if (sidesD[v] != null && nd > 1) {
                    throw new IllegalArgumentException("S-curve tangent points are optimised one subdomain at a time");
                }
                sides[v] = sidesD[v];
                if (alphaD[v] != null) {
                    alpha[v] = alpha[v] == null ? new double[b.rows()][] : alpha[v];
                    met[v] = met[v] == null ? new double[b.rows()][] : met[v];
                    System.arraycopy(alphaD[v], 0, alpha[v], d * m, m);
                    System.arraycopy(metD[v], 0, met[v], d * m, m);
                }
            }
            System.arraycopy(betaD, 0, beta, d * m, m);
            System.arraycopy(scaleD, 0, scale, d * m, m);
            last[d] = free ? steps : 0;
        }
        return last;
    }

    /** The pass state of one step for the {@code live} rows of batch b: their slopes, multipliers and ranges. */
    static Backward pass(DomainBatch b, int[] live, double[][][] alpha, SCurveBound.Sides[] sides,
                                 double[][] beta, int nv) {
        Backward pb = new Backward(live.length);
        pb.alpha = alpha;
        pb.sides = sides;
        List<GraphBounds.Split>[] splits = b.splits(live);
        pb.extra = extra(b.of(live[0]).ranges(), splits, beta, nv);
        thresholds(splits, beta, pb);
        if (b.domains.size() > 1) {
            pb.bySubdomain(b.ranges(live), b.m);
        }
        return pb;
    }

    /**
     * The state of the first pass {@link BetaCrown#optimiseAll} makes for subdomains {@code domains}, one row each
     * (their objective is the caller's), without recording: {@link #firstPass} for each, as one pass over all.
     */
    static Backward firstPassAll(GraphBounds g, List<BetaCrown.Domain> domains, int target) {
        return first(g, new DomainBatch(domains, 1), target);
    }

    /**
     * The state of the first pass {@link BetaCrown#optimise} makes from {@code start} (its slopes and multipliers, a
     * multiplier it does not cover at 0) for {@code m} rows of value {@code target}, without recording: what
     * {@link BetaCrown#optimise} with 0 steps bounds, for passes that are resumed ({@link PassFrontier#resume}).
     */
    static Backward firstPass(GraphBounds g, GraphBounds.Ranges ranges, int target, List<GraphBounds.Split> splits,
                              int m, BetaCrown.Params start) {
        return first(g, new DomainBatch(List.of(new BetaCrown.Domain(ranges, splits, start)), m), target);
    }

    /** The state of the first pass over batch b, without recording. */
    private static Backward first(GraphBounds g, DomainBatch b, int target) {
        int nv = g.dag().valueCount();
        double[][][] alpha = new double[nv][][];
        double[][] beta = new double[b.rows()][];
        SCurveBound.Sides[] sides = new SCurveBound.Sides[nv];
        initial(g, b, target, new double[nv][][], sides, alpha, beta, new double[b.rows()][], 0);
        return pass(b, b.live(new boolean[b.domains.size()]), alpha, sides, beta, nv);
    }

    /**
     * The slopes of the ReLU values and the tangent points of the S-curve values before {@code target}: the warm
     * start's, else CROWN's choice; allocates {@code met} for the same values and fills {@code sides} for the
     * S-curves (the tangent points' valid intervals on these ranges).
     */
    static double[][][] initialAlpha(GraphBounds g, GraphBounds.Ranges ranges, int target, int m,
                                             BetaCrown.Params start, double[][][] met, SCurveBound.Sides[] sides) {
        double[][][] alpha = new double[met.length][][];
        for (int o = 0; o < target; o++) {
            if (g.ops().get(o) instanceof SCurveBound curve) {
                int v = 1 + o;
                met[v] = new double[m][curve.size()];
                sides[v] = curve.sides(ranges.values()[g.dag().nodes().get(o).arg(0)]);
                alpha[v] = new double[m][];
                for (int r = 0; r < m; r++) {
                    boolean warm = start != null && start.alpha()[v] != null;
                    alpha[v][r] = (warm ? start.alpha()[v][Math.min(r, start.alpha()[v].length - 1)]
                            : sides[v].start()).clone();
                }
                continue;
            }
            if (g.ops().get(o) instanceof ReluBound relu) {
                int v = 1 + o;
                met[v] = new double[m][relu.size()];
                alpha[v] = new double[m][];
                Range z = ranges.values()[g.dag().nodes().get(o).arg(0)];
                for (int r = 0; r < m; r++) {
                    boolean warm = start != null && start.alpha()[v] != null;
                    if (warm && start.index()[v] == null) {
                        alpha[v][r] = start.alpha()[v][Math.min(r, start.alpha()[v].length - 1)].clone();
                        continue;
                    }
                    alpha[v][r] = new double[relu.size()];
                    for (int i = 0; i < relu.size(); i++) {
                        alpha[v][r][i] = z.hi()[i] >= -z.lo()[i] ? 1 : relu.leak();
                    }
                    if (warm) {
                        double[] held = start.alpha()[v][Math.min(r, start.alpha()[v].length - 1)];
                        int[] idx = start.index()[v];
                        for (int k = 0; k < idx.length; k++) {
                            alpha[v][r][idx[k]] = held[k];
                        }
                    }
                }
            }
        }
        return alpha;
    }

    /** The warm start's multipliers and scales for a prefix of the splits; the rest 0 and scale 1. */
    static void initialBeta(BetaCrown.Params start, double[][] beta, double[][] scale) {
        for (int r = 0; r < beta.length; r++) {
            java.util.Arrays.fill(scale[r], 1);
            if (start != null) {
                int sr = Math.min(r, start.beta().length - 1);
                int k = beta[r].length;
                System.arraycopy(start.beta()[sr], 0, beta[r], 0, Math.min(k, start.beta()[sr].length));
                System.arraycopy(start.scale()[sr], 0, scale[r], 0, Math.min(k, start.scale()[sr].length));
            }
        }
    }

    /** The split multipliers as extra coefficients of the split values: {@code −β} active, {@code +β} inactive. */
    private static double[][][] extra(GraphBounds.Ranges ranges, List<GraphBounds.Split>[] splits, double[][] beta,
                                      int nv) {
        double[][][] e = null;
        for (int r = 0; r < beta.length; r++) {
            for (int j = 0; j < splits[r].size(); j++) {
                GraphBounds.Split s = splits[r].get(j);
                e = e == null ? new double[nv][][] : e;
                if (e[s.value()] == null) {
                    e[s.value()] = new double[beta.length][ranges.values()[s.value()].size()];
                }
                e[s.value()][r][s.element()] += s.active() ? -beta[r][j] : beta[r][j];
            }
        }
        return e;
    }

    /**
     * The constants of the multipliers' terms for splits with a threshold t: {@code −β(ẑ − t)} (at least t) adds
     * {@code +β t}, {@code +β(ẑ − t)} (at most t) adds {@code −β t}.
     */
    private static void thresholds(List<GraphBounds.Split>[] splits, double[][] beta, Backward pb) {
        for (int r = 0; r < beta.length; r++) {
            for (int j = 0; j < splits[r].size(); j++) {
                double t = splits[r].get(j).threshold();
                if (t != 0 && beta[r][j] != 0) {
                    pb.add(r, splits[r].get(j).active() ? beta[r][j] * t : -beta[r][j] * t);
                }
            }
        }
    }
}
