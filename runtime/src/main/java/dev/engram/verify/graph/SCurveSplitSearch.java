package dev.engram.verify.graph;

import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.List;

/**
 * Branch and bound on S-curve elements (sigmoid, tanh) for one conjunction of the unsafe set over one
 * high-dimensional box, where splitting the box does not pay and there are no ReLU elements. A subdomain is a set of
 * cuts ({@link Cut}): the executed argument of an S-curve element lies in {@code [l, m]} or in {@code [m, u]}, m being
 * 0 when 0 lies in the middle half of the range (each half then convex or concave) and its middle otherwise ({@link #splitPoint}). Each half gets its own,
 * tighter tangent/secant lines; its ranges are the parent's with the cut element clamped and, with
 * {@link #RECOMPUTE}, every later value recomputed on the clamped ranges ({@link GraphBounds#withSplit}, {@link GraphBounds#refine}). The bound is
 * optimised by {@link BetaCrown}, warm-started from the parent's best tangent points and multipliers; every cut is
 * also a β-CROWN split at its point m ({@link GraphBounds.Split} with a threshold: its multiplier adds
 * {@code −β(ẑ − m)} on the upper half and {@code +β(ẑ − m)} on the lower one, at most 0 where the cut holds), which
 * keeps the bound's minimiser from leaving the half (without it a tighter line on the half can give a looser bound). The element cut is the
 * one with the largest score {@code |a| × gap} (its coefficient in the weakest row's last pass times the largest
 * distance between the function and the line that coefficient met, at the range's ends, middle and 0: BaBSR's idea,
 * Bunel et al. JMLR 2020, for curves). Subdomains are bounded worst first. Sound: the two halves of a cut cover the
 * parent's region, and every bound is valid on its subdomain.
 */
final class SCurveSplitSearch {
    /** Optimisation steps per subdomain (warm-started from its parent). */
    private static final int STEPS = Integer.getInteger("engram.verify.curveSplitSteps", 10);
    /**
     * Whether a subdomain recomputes the ranges of the values after its cut (else only the cut element narrows): off
     * by default, since on eran's sigmoid net it cost 3.3 to 4.8 times as much per subdomain and left the queue's
     * lowest margin no higher in the same time (docs/verifier.md, branch {@code sparse}).
     */
    private static final boolean RECOMPUTE = Boolean.getBoolean("engram.verify.curveSplitRecompute");
    private static final boolean DEBUG = Boolean.getBoolean("engram.verify.debug");

    /** The executed argument {@code value}[{@code element}] of an S-curve lies in {@code [lo, hi]}. */
    record Cut(int value, int element, double lo, double hi) {
    }

    /** The outcome: refuted everywhere, a witness, or open (nothing left to split, or out of time). */
    record Outcome(boolean refuted, double[] witness, int subdomains) {
    }

    /**
     * One open subdomain: its cuts, the same as β splits (at their points), ranges, warm start, inherited margin and
     * the bytes it holds (its warm start, its share of the ranges it made).
     */
    private record Domain(List<Cut> cuts, List<GraphBounds.Split> splits, GraphBounds.Ranges ranges,
                          BetaCrown.Params start, double margin, long bytes) implements DomainQueue.Entry {
    }

    private final SplitProblem p;
    private final DomainQueue<Domain> queue = new DomainQueue<>(DomainQueue.heapShare());
    private int nodes;
    private double[] witness;

    private SCurveSplitSearch(SplitProblem p) {
        this.p = p;
    }

    /**
     * Branch and bound from the box's {@code ranges} and the root's optimised bound {@code root} (its parameters are
     * the children's warm start), until every subdomain is refuted, a witness turns up, {@code p}'s deadline passes
     * or the queue outgrows its heap share ({@link DomainQueue}).
     */
    static Outcome run(SplitProblem p, GraphBounds.Ranges ranges, BetaCrown.Result root) {
        SCurveSplitSearch s = new SCurveSplitSearch(p);
        long t0 = System.nanoTime();
        try {
            List<Domain> first = s.children(new Domain(List.of(), List.of(), ranges, null,
                    Double.NEGATIVE_INFINITY, 0), root);
            if (first == null) {
                return new Outcome(false, s.witness, s.nodes);
            }
            first.forEach(s.queue::add);
            while (!s.queue.isEmpty()) {
                if (s.queue.full()) {
                    s.debug("open (the queue fills its heap share)", t0);
                    return new Outcome(false, null, s.nodes);
                }
                Domain d = s.queue.poll();
                BetaCrown.Result res = BetaCrown.optimise(p.g(), d.ranges, d.splits, p.rows(), p.stop(), STEPS,
                        d.start, p.deadline());
                List<Domain> next = s.children(d, res);
                if (next == null) {
                    s.debug("open", t0);
                    return new Outcome(false, s.witness, s.nodes);
                }
                next.forEach(s.queue::add);
            }
        } catch (Deadline.Expired e) {
            s.debug("open (out of time)", t0);
            return new Outcome(false, null, s.nodes);
        }
        s.debug("refuted", t0);
        return new Outcome(true, null, s.nodes);
    }

    private void debug(String verdict, long t0) {
        if (DEBUG) {
            double secs = (System.nanoTime() - t0) / 1e9;
            System.err.printf("[curve-split] %s after %d subdomains in %.1f s (%.1f ms each), queue's lowest %.5g%n",
                    verdict, nodes, secs, 1e3 * secs / Math.max(1, nodes), queue.lowest());
        }
    }

    /**
     * The children of a bounded subdomain: none when its bound refutes the conjunction, two (fewer when a half is
     * empty) when an element is cut, null when it stays open (a witness at its bound minimiser, or nothing to cut).
     */
    private List<Domain> children(Domain d, BetaCrown.Result res) {
        p.deadline().check();
        GraphBounds.Linear lin = res.linear();
        int bj = p.closest(lin);
        double best = p.margin(lin, bj);
        nodes++;
        if (DEBUG && (nodes & (nodes - 1)) == 0) {
            System.err.printf("[curve-split] subdomain %d depth %d margin %.5g (parent %.5g), queue's lowest %.5g%n",
                    nodes, d.cuts.size(), best, d.margin, queue.lowest());
        }
        if (best > 0) {
            return List.of();
        }
        double[] w = p.witnessNear(lin, bj, d.ranges.values()[0]);
        if (w != null) {
            witness = w;
            return null;
        }
        Cut[] halves = branch(d.ranges, res.unstable(), bj);
        if (halves == null) {
            return null;
        }
        List<Domain> out = new ArrayList<>(2);
        for (int side = 0; side < 2; side++) {
            Cut c = halves[side];
            boolean above = side == 1; // the upper half: at least the cut point
            GraphBounds.Split cut = new GraphBounds.Split(c.value, c.element, above, above ? c.lo : c.hi);
            List<GraphBounds.Split> splits = new ArrayList<>(d.splits);
            splits.add(cut);
            GraphBounds.Ranges r = p.g().withSplit(d.ranges, cut);
            if (r != null && RECOMPUTE) {
                r = p.g().refine(r, splits, c.value, p.deadline());
            }
            if (r == null) {
                continue; // no execution meets this cut
            }
            List<Cut> cuts = new ArrayList<>(d.cuts);
            cuts.add(c);
            BetaCrown.Params start = withMultiplier(res, c);
            long bytes = start.bytes() + RangesDelta.arraysNotIn(r, d.ranges) + 16L * splits.size() + 128;
            out.add(new Domain(List.copyOf(cuts), List.copyOf(splits), r, start, Math.max(best, d.margin), bytes));
        }
        return out;
    }

    /** The parent's parameters with one more multiplier (0), scaled by the coefficient the cut element met. */
    private BetaCrown.Params withMultiplier(BetaCrown.Result res, Cut c) {
        BetaCrown.Params q = res.best();
        int k = q.beta()[0].length;
        double[][] beta = new double[q.beta().length][];
        double[][] scale = new double[q.beta().length][];
        double[][] met = res.unstable()[curveOf(c.value)];
        for (int r = 0; r < beta.length; r++) {
            beta[r] = java.util.Arrays.copyOf(q.beta()[r], k + 1);
            scale[r] = java.util.Arrays.copyOf(q.scale()[r], k + 1);
            scale[r][k] = Math.max(1e-6, Math.abs(met[r][c.element]));
        }
        return new BetaCrown.Params(q.alpha(), beta, scale, q.index());
    }

    /** The S-curve value whose argument is value u. */
    private int curveOf(int u) {
        GraphBounds g = p.g();
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof SCurveBound && g.dag().nodes().get(k).arg(0) == u) {
                return 1 + k;
            }
        }
        throw new IllegalStateException("no S-curve on value " + u);
    }

    /** The two halves of the element with the largest {@code |a| × gap} in row r's last pass, or null. */
    private Cut[] branch(GraphBounds.Ranges ranges, double[][][] met, int r) {
        Cut[][] best = {null};
        double[] score = {0};
        MetElements.forEach(p.g(), ranges, met, r, SCurveBound.class, (curve, u, i, a, l, h) -> {
            double m = splitPoint(l, h);
            if (!(m > l && m < h) || !Double.isFinite(l) || !Double.isFinite(h)) {
                return;
            }
            double s = Math.abs(a) * gap(curve, l, h, a > 0);
            if (s > score[0]) {
                score[0] = s;
                best[0] = new Cut[] {new Cut(u, i, l, m), new Cut(u, i, m, h)};
            }
        });
        return best[0];
    }

    /**
     * Where to cut {@code [l, h]}: at 0 when 0 lies in its middle half (both halves then convex or concave, and each
     * at least a quarter of the range), else at its middle (a cut at 0 near an end would leave one half almost the
     * whole range, as loose as before).
     */
    static double splitPoint(double l, double h) {
        double mid = 0.5 * l + 0.5 * h;
        return l < 0 && h > 0 && Math.abs(mid) <= 0.25 * (h - l) ? 0 : mid;
    }

    /** The largest distance between f and its CROWN line on [l, h] at the ends, the middle and 0 (when inside). */
    static double gap(SCurveBound curve, double l, double h, boolean lower) {
        double[] st = curve.line(l, h, lower);
        double worst = 0;
        for (double z : new double[] {l, h, 0.5 * l + 0.5 * h, Math.min(h, Math.max(l, 0))}) {
            double d = Math.abs(curve.f(z) - (st[0] * z + st[1]));
            worst = Math.max(worst, d);
        }
        return worst;
    }
}
