package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.Verifier;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides a {@link Property} on a graph that is not a dense chain: falsification first ({@link GraphAttack}), then
 * bounds ({@link GraphBounds}): a conjunction of the unsafe set is refuted over a box when the lower bound of one of
 * its constraints {@code c·ŷ − b} is positive. Low-dimensional inputs (at most {@link #SPLIT_DIMENSIONS}) are split
 * (branch and bound over the input box, the input with the largest {@code |coefficient| × width} of the weakest
 * constraint); on high-dimensional ones ReLU elements are split ({@link ReluSplitSearch}), or, without ReLU, α-CROWN
 * is repeated with more steps for the conjunctions left open, then S-curve elements are split
 * ({@link SCurveSplitSearch}); a box that is still not refuted gets the rest of the time for attacks (alternately
 * {@link GraphAttack#search} and {@link GraphAttack#targeted}) and ends in {@code timeout} unless a witness turns up.
 *
 * <p>Soundness: {@code unsat} only when every subdomain is refuted by bounds that hold for the graph as executed in
 * float32 in any summation order; {@code sat} only with a witness re-executed in float32 by the graph executor,
 * checked in exact arithmetic ({@link GraphAttack#check}).
 */
public final class GraphVerifier {
    /** Inputs up to this many dimensions are split in branch and bound. */
    static final int SPLIT_DIMENSIONS = 16;
    private static final boolean DEBUG = Boolean.getBoolean("engram.verify.debug");
    /** α-CROWN steps of each intermediate bound on a high-dimensional box. */
    private static final int RANGE_STEPS = Integer.getInteger("engram.verify.rangeSteps", 3);
    /**
     * On a high-dimensional box of a graph without ReLU elements to split (sigmoid, tanh), each round that leaves the
     * box open is followed by one with this many times the α steps (intermediate and final), while time remains.
     */
    private static final int ESCALATE = 3;
    /** Rounds of {@link #ESCALATE}d α-CROWN after the first. */
    private static final int ESCALATIONS = Integer.getInteger("engram.verify.escalations", 2);
    /**
     * On such a box, the round after which the conjunctions α-CROWN leaves open go to branch and bound on S-curve
     * elements ({@link SCurveSplitSearch}), each with an equal share of the time left, instead of another round. The
     * last: on eran's sigmoid net another round gains more per second than splitting (idx 1655, first conjunction:
     * the third round took the margin from −0.94 to −0.37; 96 subdomains after the second left it at −0.93).
     */
    private static final int CURVE_SPLIT_ROUND = Integer.getInteger("engram.verify.curveSplitRound", ESCALATIONS);

    /** Descents per conjunction in the targeted attack rounds ({@link GraphAttack#targeted}). */
    private static final int TARGETED_RESTARTS = 2;

    private GraphVerifier() {
    }

    /** A disjunction of properties sharing the time budget ({@link Verifier#any}). */
    public static Verdict verifyAny(Dag dag, List<Property> properties, VerifyOptions options) {
        GraphBounds g;
        try {
            g = GraphBounds.of(dag);
        } catch (IllegalArgumentException e) {
            return new Verdict.Unknown(e.getMessage(), 0);
        }
        return Verifier.any(properties, options, (p, o) -> verify(g, p, o));
    }

    public static Verdict verify(GraphBounds g, Property property, VerifyOptions options) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(options.timeoutSeconds());
        GraphAttack attack = new GraphAttack(g, property, options.seed());
        List<Box> boxes = property.region().boxes();
        try {
            for (Box box : boxes) {
                double[] w = attack.search(box, 64, 3, 20, List.of(), deadline);
                if (w != null) {
                    return attack.witness(w, seconds(start));
                }
            }
            boolean open = false;
            for (Box box : boxes) {
                Result r = search(g, attack, property, box, options.threads(), deadline);
                if (r.witness != null) {
                    return attack.witness(r.witness, seconds(start));
                }
                open |= !r.refuted;
            }
            if (!open) {
                return new Verdict.Unsat(seconds(start));
            }
            for (long round = 1; !deadline.passed(); round++) {
                GraphAttack strong = new GraphAttack(g, property, options.seed() + round);
                for (Box box : boxes) {
                    // alternately: descents from the best samples, and descents aimed at one conjunction each
                    double[] w = round % 2 == 1 ? strong.search(box, 256, 8, 60, List.of(), deadline)
                            : strong.targeted(box, 64, TARGETED_RESTARTS, 100, deadline);
                    if (w != null) {
                        return strong.witness(w, seconds(start));
                    }
                }
            }
        } catch (Deadline.Expired e) {
            // fall through
        }
        return new Verdict.Timeout(seconds(start));
    }

    private record Result(boolean refuted, double[] witness) {
    }

    /** Branch and bound over one box: refuted, a witness, or neither (a high-dimensional box not refuted). */
    private static Result search(GraphBounds g, GraphAttack attack, Property property, Box box, int threads,
                                 Deadline deadline) {
        Deque<Box> stack = new ArrayDeque<>();
        stack.push(box);
        int level = 0; // escalation round of a high-dimensional box (one box at a time)
        List<List<LinearConstraint>> pending = property.unsafe(); // the conjunctions its last round left open
        while (!stack.isEmpty()) {
            deadline.check();
            Box sub = stack.pop();
            GraphBounds.Ranges ranges = g.ranges(sub, deadline);
            // the conjunctions CROWN leaves open; high-dimensional boxes are not split: worth optimised
            // intermediate bounds for those
            List<List<LinearConstraint>> open = crownOpen(g, ranges, pending);
            int scale = (int) Math.pow(ESCALATE, level);
            if (!open.isEmpty() && sub.dimension() > SPLIT_DIMENSIONS && RANGE_STEPS > 0) {
                ranges = g.ranges(sub, RANGE_STEPS * scale, threads, deadline);
                if (DEBUG) {
                    System.err.printf("[graph] round %d: optimised intermediate bounds at %.1f s left%n", level,
                            deadline.secondsLeft());
                }
            }
            double worst = Double.POSITIVE_INFINITY;
            double[] worstCoef = null;
            List<double[]> minimisers = new ArrayList<>();
            List<List<LinearConstraint>> unrefuted = new ArrayList<>();
            boolean curveSplit = sub.dimension() > SPLIT_DIMENSIONS && !g.hasRelu() && level >= CURVE_SPLIT_ROUND;
            boolean lost = false; // a conjunction the S-curve split search left open: the box stays open
            for (int c = 0; c < open.size(); c++) {
                Margin m = conjunction(g, attack, sub, ranges, open.get(c), scale, curveSplit && !lost, threads,
                        open.size() - c, deadline);
                if (m.witness != null) {
                    return new Result(false, m.witness);
                }
                lost |= m.lost;
                if (m.best > 0) {
                    continue; // this conjunction is refuted on sub
                }
                minimisers.add(minimiser(m.coef, sub));
                unrefuted.add(open.get(c));
                if (m.best < worst) {
                    worst = m.best;
                    worstCoef = m.coef;
                }
            }
            if (worstCoef == null) {
                continue;
            }
            double[] w = attack.search(sub, 0, minimisers.size(), 5, minimisers, deadline);
            if (w != null) {
                return new Result(false, w);
            }
            if (sub.dimension() > SPLIT_DIMENSIONS) {
                if (g.hasRelu() || level >= ESCALATIONS || curveSplit) {
                    return new Result(false, null);
                }
                level++; // nothing to split: the same box again with more α steps, for what is left open
                pending = unrefuted;
                stack.push(sub);
                continue;
            }
            int axis = splitAxis(worstCoef, sub);
            if (axis < 0) {
                return new Result(false, null);
            }
            stack.push(half(sub, axis, false));
            stack.push(half(sub, axis, true));
        }
        return new Result(true, null);
    }

    /**
     * One conjunction on a box: its margin (> 0: refuted), the coefficients of its weakest bound, a witness, and
     * whether an S-curve split search left it open.
     */
    private record Margin(double best, double[] coef, double[] witness, boolean lost) {
    }

    /**
     * Bounds one conjunction on {@code sub}: CROWN, then α-CROWN (60 × {@code scale} steps on a high-dimensional box,
     * 8 on a low-dimensional one), then, if still open, the ReLU split search (a high-dimensional graph with ReLU) or,
     * when {@code curveSplit}, the S-curve split search in an equal share of the time left among the {@code left}
     * conjunctions still to bound.
     */
    private static Margin conjunction(GraphBounds g, GraphAttack attack, Box sub, GraphBounds.Ranges ranges,
                                      List<LinearConstraint> conj, int scale, boolean curveSplit, int threads,
                                      int left, Deadline deadline) {
        double[][] rows = rows(conj);
        double[] stop = stop(conj);
        GraphBounds.Linear lin = g.lower(ranges, rows);
        int bj = best(lin, stop);
        double best = lin.bound()[bj] - stop[bj];
        if (best > 0) {
            return new Margin(best, null, null, false);
        }
        double crown = best;
        boolean high = sub.dimension() > SPLIT_DIMENSIONS;
        boolean reluSplit = high && g.hasRelu();
        int steps = reluSplit ? 0 : high ? 60 * scale : 8; // ReLU splitting optimises its root itself
        BetaCrown.Result res = BetaCrown.optimise(g, ranges, List.of(), rows, stop, steps, null, deadline);
        lin = res.linear();
        bj = best(lin, stop);
        best = lin.bound()[bj] - stop[bj];
        if (DEBUG) {
            System.err.printf("[graph] conjunction margin: CROWN %.5g, alpha-CROWN %.5g (%.1f s left)%n",
                    crown, best, deadline.secondsLeft());
        }
        boolean lost = false;
        if (best <= 0 && (reluSplit || (high && curveSplit))) {
            Result o = reluSplit ? reluSplit(g, attack, sub, ranges, rows, stop, threads, deadline)
                    : curveSplit(g, attack, sub, ranges, rows, stop, res, share(deadline, left));
            if (o.witness != null) {
                return new Margin(best, lin.coef()[bj], o.witness, false);
            }
            best = o.refuted ? 1 : best;
            lost = !o.refuted;
        }
        return new Margin(best, lin.coef()[bj], null, lost);
    }

    /** The conjunctions CROWN does not refute on the ranges' box. */
    private static List<List<LinearConstraint>> crownOpen(GraphBounds g, GraphBounds.Ranges ranges,
                                                          List<List<LinearConstraint>> conjs) {
        List<List<LinearConstraint>> open = new ArrayList<>();
        for (List<LinearConstraint> conj : conjs) {
            double[] stop = stop(conj);
            GraphBounds.Linear lin = g.lower(ranges, rows(conj));
            int bj = best(lin, stop);
            if (!(lin.bound()[bj] > stop[bj])) {
                open.add(conj);
            }
        }
        return open;
    }

    /** Branch and bound on ReLU elements for one conjunction ({@link ReluSplitSearch}). */
    private static Result reluSplit(GraphBounds g, GraphAttack attack, Box sub, GraphBounds.Ranges ranges,
                                    double[][] rows, double[] stop, int threads, Deadline deadline) {
        SplitProblem p = new SplitProblem(g, attack, sub, rows, stop, deadline);
        ReluSplitSearch.Outcome o = ReluSplitSearch.run(p, ranges, threads);
        if (DEBUG) {
            System.err.printf("[graph] ReLU splitting: %s%n", o.refuted() ? "refuted" : "open");
        }
        return new Result(o.refuted(), o.witness());
    }

    /**
     * Branch and bound on S-curve elements for one conjunction ({@link SCurveSplitSearch}) from α-CROWN's result
     * {@code root}, until {@code share} passes.
     */
    private static Result curveSplit(GraphBounds g, GraphAttack attack, Box sub, GraphBounds.Ranges ranges,
                                     double[][] rows, double[] stop, BetaCrown.Result root, Deadline share) {
        SplitProblem p = new SplitProblem(g, attack, sub, rows, stop, share);
        SCurveSplitSearch.Outcome o = SCurveSplitSearch.run(p, ranges, root);
        if (DEBUG) {
            System.err.printf("[graph] S-curve splitting: %s after %d subdomains%n", o.refuted() ? "refuted" : "open",
                    o.subdomains());
        }
        return new Result(o.refuted(), o.witness());
    }

    /** The constraints' coefficient rows (fresh arrays: a backward pass consumes them). */
    private static double[][] rows(List<LinearConstraint> conj) {
        double[][] rows = new double[conj.size()][];
        for (int j = 0; j < rows.length; j++) {
            rows[j] = conj.get(j).coefficients().clone();
        }
        return rows;
    }

    /** The constraints' thresholds: a row is refuted when its lower bound is above. */
    private static double[] stop(List<LinearConstraint> conj) {
        double[] stop = new double[conj.size()];
        for (int j = 0; j < stop.length; j++) {
            stop[j] = conj.get(j).bound();
        }
        return stop;
    }

    /** The row with the largest margin {@code bound − stop}. */
    private static int best(GraphBounds.Linear lin, double[] stop) {
        int bj = 0;
        for (int j = 1; j < stop.length; j++) {
            if (lin.bound()[j] - stop[j] > lin.bound()[bj] - stop[bj]) {
                bj = j;
            }
        }
        return bj;
    }

    /** The box corner minimising {@code coef · x}. */
    static double[] minimiser(double[] coef, Box box) {
        return BetaCrown.minimiser(coef, new Range(box.lo(), box.hi()));
    }

    /** The input with the largest {@code |coef| × width} that can still be halved, or -1. */
    static int splitAxis(double[] coef, Box box) {
        int best = -1;
        double score = -1;
        for (int i = 0; i < coef.length; i++) {
            double lo = box.lo()[i];
            double hi = box.hi()[i];
            double mid = 0.5 * lo + 0.5 * hi;
            if (!(mid > lo && mid < hi)) {
                continue;
            }
            double s = Math.abs(coef[i]) * (hi - lo) + 1e-300 * (hi - lo);
            if (s > score) {
                score = s;
                best = i;
            }
        }
        return best;
    }

    static Box half(Box b, int axis, boolean lower) {
        double[] lo = b.lo().clone();
        double[] hi = b.hi().clone();
        double mid = 0.5 * lo[axis] + 0.5 * hi[axis];
        if (lower) {
            hi[axis] = mid;
        } else {
            lo[axis] = mid;
        }
        return new Box(lo, hi);
    }

    /** An equal part of the time left to one of {@code parts} tasks. */
    private static Deadline share(Deadline deadline, int parts) {
        double left = deadline.secondsLeft();
        return Double.isInfinite(left) ? deadline : Deadline.after(left / parts);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
