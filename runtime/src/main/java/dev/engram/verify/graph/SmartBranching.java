package dev.engram.verify.graph;

import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.List;

/**
 * The ReLU element a subdomain of {@link ReluSplitSearch} splits next, by filtered smart branching (FSB: De Palma et
 * al., "Improved Branch and Bound for Neural Network Verification via Lagrangian Decomposition", 2021): the
 * {@link #CANDIDATES} unstable elements with the largest BaBSR scores {@code |a|·(−l·u/(u−l))} in the weakest row's
 * last pass are shortlisted, and each is scored by a cheap bound of its two children: one backward pass each, the
 * element's range clamped at 0 ({@link GraphBounds#withSplit}) and the parent's slopes and multipliers, the new one
 * at 0 (each child's pass resumes the parent's where they start to differ: {@link GraphBounds#frontiers}). A child's
 * bound is at least its parent's (its region is a part of the parent's, and β-CROWN can reproduce
 * the parent's line), so each child counts as the larger of the two; the candidate whose worse child is best wins,
 * the BaBSR order breaking ties. A candidate whose first child already counts no more than the best so far cannot
 * win, and its second child need not be bounded (the same choice); by default the children are bounded in batches
 * ({@link Scoring}). Only a choice: every bound the search uses is computed again for the child itself.
 */
final class SmartBranching {
    /** Shortlisted elements; 1: plain BaBSR. */
    static final int CANDIDATES = Integer.getInteger("engram.verify.fsbCandidates", 16);

    /**
     * How the candidates' children are bounded, all giving the same choice: one by one ({@code EACH}); one by one,
     * skipping the second child of a candidate whose first child already counts no more than the best so far
     * ({@code PRUNED}); or in batches, the children that resume the same frontier in one pass
     * ({@link PassFrontier#resumeAll}: each operator's map read once for all of them), the second children of the
     * candidates that can still win by descending count of their first ({@code BATCHED}, {@link #batched}; not
     * with S-curves, whose tangent points are per pass: pruned there).
     */
    enum Scoring { EACH, PRUNED, BATCHED }

    /** The default scoring: {@code engram.verify.fsbScoring}, BATCHED unless set. */
    private static final Scoring SCORING = Scoring.valueOf(System.getProperty("engram.verify.fsbScoring", "BATCHED"));

    private SmartBranching() {
    }

    /** A shortlisted element and its BaBSR score. */
    private record Candidate(GraphBounds.Split split, double score) {
    }

    /**
     * The element to split for row {@code r} of {@code rows} on a subdomain with {@code splits} and {@code ranges},
     * whose optimised bound is {@code res}; null when the row met no unstable element.
     */
    static GraphBounds.Split choose(GraphBounds g, GraphBounds.Ranges ranges, List<GraphBounds.Split> splits,
                                    double[][] rows, BetaCrown.Result res, int r, Deadline deadline) {
        return choose(g, ranges, splits, rows, res, r, SCORING, deadline);
    }

    /** {@link #choose} with the children bounded as {@code scoring} says (tests compare them). */
    static GraphBounds.Split choose(GraphBounds g, GraphBounds.Ranges ranges, List<GraphBounds.Split> splits,
                                    double[][] rows, BetaCrown.Result res, int r, Scoring scoring,
                                    Deadline deadline) {
        List<Candidate> shortlist = shortlist(g, ranges, res.unstable(), r, CANDIDATES);
        if (shortlist.size() <= 1) {
            return shortlist.isEmpty() ? null : shortlist.get(0).split();
        }
        double parent = res.linear().bound()[r];
        double[][] row = {rows[r].clone()};
        BetaCrown.Params start = rowParams(res.params(), r);
        int[] at = new int[shortlist.size()];
        for (int c = 0; c < at.length; c++) {
            at[c] = lastReader(g, shortlist.get(c).split().value());
        }
        // one pass down to each candidate's last reader: the children's passes agree above it (their ranges differ
        // only in the candidate's value), so each child's pass resumes there
        PassFrontier[] above = PassFrontier.of(g, ranges, g.output(), row,
                BetaStart.firstPass(g, ranges, g.output(), splits, 1, start), at);
        Scorer k = new Scorer(g, ranges, splits, shortlist, above, start, res.hull(), r);
        if (scoring == Scoring.BATCHED && g.ops().stream().noneMatch(o -> o instanceof SCurveBound)) {
            return batched(k, parent, deadline);
        }
        boolean prune = scoring != Scoring.EACH;
        GraphBounds.Split best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < at.length; c++) {
            double worse = Double.POSITIVE_INFINITY;
            for (int side = 0; side < 2; side++) {
                BetaCrown.Domain child = k.child(c, side);
                if (child == null) {
                    continue; // empty: this child is refuted
                }
                deadline.check();
                Backward pb = BetaStart.firstPass(g, child.ranges(), g.output(), child.splits(), 1, start);
                pb.warmHull = warm(res.hull(), r, 1);
                double b = above[c].resume(g, child.ranges(), pb).bound()[0];
                worse = Math.min(worse, Math.max(parent, b));
                if (prune && worse <= bestScore) {
                    break; // this candidate cannot win: its other child need not be bounded
                }
            }
            if (worse > bestScore) {
                bestScore = worse;
                best = shortlist.get(c).split();
            }
        }
        return best;
    }

    /** What the candidates' children are bounded with: the subdomain's, and row r's warm start. */
    private record Scorer(GraphBounds g, GraphBounds.Ranges ranges, List<GraphBounds.Split> splits,
                          List<Candidate> shortlist, PassFrontier[] above, BetaCrown.Params start,
                          InputHull.Chosen[][] hull, int r) {
        /** Candidate c's child on {@code side} (0 active, 1 inactive) with the parent's warm start; null: empty. */
        BetaCrown.Domain child(int c, int side) {
            GraphBounds.Split s = new GraphBounds.Split(shortlist.get(c).split().value(),
                    shortlist.get(c).split().element(), side == 0);
            GraphBounds.Ranges child = g.withSplit(ranges, s);
            if (child == null) {
                return null;
            }
            List<GraphBounds.Split> more = new ArrayList<>(splits);
            more.add(s);
            return new BetaCrown.Domain(child, more, start);
        }
    }

    /**
     * The choice by bounding children in batches: first every candidate's first (active) child, the children that
     * resume the same frontier in one pass; then, by descending count of the first child, the second children of the
     * candidates that can still win, {@link #CHUNK} at a time. The same choice as bounding every child.
     */
    private static GraphBounds.Split batched(Scorer k, double parent, Deadline deadline) {
        int n = k.shortlist().size();
        double[][] bound = new double[n][2];
        Integer[] all = new Integer[n];
        for (int c = 0; c < n; c++) {
            all[c] = c;
        }
        bound(k, List.of(all), 0, bound, deadline);
        double[] first = new double[n];
        for (int c = 0; c < n; c++) {
            first[c] = Math.max(parent, bound[c][0]); // the candidate's count is at most this
        }
        java.util.Arrays.sort(all, (a, b) -> first[a] != first[b] ? Double.compare(first[b], first[a]) : a - b);
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        int next = 0;
        while (true) {
            List<Integer> chunk = new ArrayList<>();
            for (; next < n && chunk.size() < CHUNK; next++) {
                int c = all[next];
                if (first[c] > bestScore || first[c] == bestScore && c < best) {
                    chunk.add(c); // it can still win
                }
            }
            if (chunk.isEmpty()) {
                return best < 0 ? null : k.shortlist().get(best).split();
            }
            bound(k, chunk, 1, bound, deadline);
            for (int c : chunk) {
                double worse = Math.min(first[c], Math.max(parent, bound[c][1]));
                if (worse > bestScore || worse == bestScore && c < best) {
                    bestScore = worse;
                    best = c;
                }
            }
        }
    }

    /** Second children bounded per batch of {@link #batched}. */
    private static final int CHUNK = 4;

    /**
     * Into {@code bound[c][side]} for each candidate c of {@code cs}: the bound of its child on that side (0 active,
     * 1 inactive; +∞ when empty), the children that resume the same frontier in one pass.
     */
    private static void bound(Scorer k, List<Integer> cs, int side, double[][] bound, Deadline deadline) {
        GraphBounds g = k.g();
        boolean[] done = new boolean[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            if (done[i]) {
                continue;
            }
            PassFrontier frontier = k.above()[cs.get(i)];
            List<BetaCrown.Domain> children = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            for (int j = i; j < cs.size(); j++) {
                int c = cs.get(j);
                if (k.above()[c] != frontier) {
                    continue; // another frontier: its own pass
                }
                done[j] = true;
                BetaCrown.Domain child = k.child(c, side);
                bound[c][side] = Double.POSITIVE_INFINITY; // empty: this child is refuted
                if (child != null) {
                    children.add(child);
                    at.add(c);
                }
            }
            if (children.isEmpty()) {
                continue;
            }
            deadline.check();
            Backward pb = BetaStart.firstPassAll(g, children, g.output());
            pb.warmHull = warm(k.hull(), k.r(), children.size());
            GraphBounds.Linear lin = frontier.resumeAll(g, children.get(0).ranges(), pb);
            for (int q = 0; q < at.size(); q++) {
                bound[at.get(q)][side] = lin.bound()[q];
            }
        }
    }

    /** Row r's functions of {@code hull} ({@code [value][row]}) as the warm start of n rows (the children's). */
    private static InputHull.Chosen[][] warm(InputHull.Chosen[][] hull, int r, int n) {
        InputHull.Chosen[][] out = new InputHull.Chosen[hull.length][n];
        for (int v = 0; v < hull.length; v++) {
            java.util.Arrays.fill(out[v], hull[v][r]);
        }
        return out;
    }

    /** The last operator's value that reads value u (the passes after it never read u's range). */
    static int lastReader(GraphBounds g, int u) {
        int last = u;
        for (int k = u; k < g.ops().size(); k++) {
            for (int arg : g.dag().nodes().get(k).args()) {
                if (arg == u) {
                    last = 1 + k;
                }
            }
        }
        return last;
    }

    /** The unstable element with the largest BaBSR score in row r's last pass ({@code met}), or null. */
    static GraphBounds.Split babsr(GraphBounds g, GraphBounds.Ranges ranges, double[][][] met, int r) {
        List<Candidate> top = shortlist(g, ranges, met, r, 1);
        return top.isEmpty() ? null : top.get(0).split();
    }

    /** Row r's parameters alone (its slopes and multipliers), the new split's multiplier to come at 0. */
    private static BetaCrown.Params rowParams(BetaCrown.Params p, int r) {
        double[][][] alpha = new double[p.alpha().length][][];
        for (int v = 0; v < alpha.length; v++) {
            if (p.alpha()[v] != null) {
                alpha[v] = new double[][] {p.alpha()[v][Math.min(r, p.alpha()[v].length - 1)]};
            }
        }
        int sr = Math.min(r, p.beta().length - 1);
        return new BetaCrown.Params(alpha, new double[][] {p.beta()[sr]}, new double[][] {p.scale()[sr]},
                p.index()); // dense or sparse, as given
    }

    /** The {@code k} unstable elements with the largest BaBSR scores in row r's last pass, the best first. */
    private static List<Candidate> shortlist(GraphBounds g, GraphBounds.Ranges ranges, double[][][] met, int r,
                                             int k) {
        List<Candidate> top = new ArrayList<>();
        MetElements.forEach(g, ranges, met, r, ReluBound.class, (op, u, i, a, l, h) -> {
            if (!(l < 0 && h > 0)) {
                return;
            }
            double s = Math.abs(a) * (-l * h / (h - l));
            if (top.size() < k || s > top.get(top.size() - 1).score()) {
                int at = 0;
                while (at < top.size() && top.get(at).score() >= s) {
                    at++;
                }
                top.add(at, new Candidate(new GraphBounds.Split(u, i, true), s));
                if (top.size() > k) {
                    top.remove(k);
                }
            }
        });
        return top;
    }
}
