package dev.engram.verify.graph;

import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Branch and bound on ReLU splits for one conjunction of the unsafe set over one box (for high-dimensional inputs,
 * where splitting the box does not pay). A subdomain is a set of splits ({@link GraphBounds.Split}); its bounds hold
 * where the splits do: intermediate ranges clamped at 0, and each split turned into a linear constraint
 * {@code p·x + c <= 0} on the input (a linear bound of the split pre-activation) that the final bound respects through
 * its Lagrangian dual ({@link SplitDual}). The conjunction is refuted on a subdomain when some constraint's optimised
 * lower bound (α-CROWN, then the dual) is above its threshold; otherwise the unstable ReLU element with the largest
 * {@code |a|·(−l·u/(u−l))} (its coefficient in the bound times the chord's intercept: BaBSR's score, Bunel et al.
 * JMLR 2020) is split. Sound: the subdomains of every split cover the box, and every bound is valid on its subdomain.
 */
final class ReluSplitSearch {
    /** The outcome: refuted everywhere, a witness, or open (nothing left to split, or out of time). */
    record Outcome(boolean refuted, double[] witness) {
    }

    /** α-CROWN steps per subdomain (few: the splits' dual does most of the work). */
    private static final int ALPHA_STEPS = Integer.getInteger("engram.verify.splitAlphaSteps", 3);
    private static final boolean DEBUG = Boolean.getBoolean("engram.verify.debug");

    private ReluSplitSearch() {
    }

    static Outcome run(GraphBounds g, GraphAttack attack, Box box, double[][] rows, double[] stop, Deadline deadline) {
        Deque<List<GraphBounds.Split>> stack = new ArrayDeque<>();
        stack.push(List.of());
        int nodes = 0;
        while (!stack.isEmpty()) {
            deadline.check();
            List<GraphBounds.Split> splits = stack.pop();
            long t0 = System.nanoTime();
            GraphBounds.Ranges ranges = g.ranges(box, splits, deadline);
            long t1 = System.nanoTime();
            if (empty(ranges)) {
                continue; // no execution meets these splits
            }
            List<SplitDual.Constraint> cons = constraints(g, ranges, splits);
            long t2 = System.nanoTime();
            GraphBounds.Linear lin = g.lowerOptimised(ranges, copy(rows), stop, ALPHA_STEPS, deadline);
            long t3 = System.nanoTime();
            int bj = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < rows.length && best <= 0; j++) {
                double m = SplitDual.lower(lin.coef()[j], lin.constant()[j] - stop[j], cons, ranges.values()[0], 30);
                if (m > best) {
                    best = m;
                    bj = j;
                }
            }
            if (DEBUG && (++nodes & (nodes - 1)) == 0) {
                System.err.printf("[relu-split] node %d depth %d margin %.5g (alpha-CROWN %.5g) stack %d;"
                        + " ms: ranges %d, constraints %d, alpha %d, dual %d%n", nodes, splits.size(), best,
                        lin.bound()[bj] - stop[bj], stack.size(), (t1 - t0) / 1000000, (t2 - t1) / 1000000,
                        (t3 - t2) / 1000000, (System.nanoTime() - t3) / 1000000);
            }
            if (best > 0) {
                continue;
            }
            double[] x = GraphVerifier.minimiser(lin.coef()[bj], box);
            double[] w = attack.search(box, 0, 1, 3, List.of(x), deadline);
            if (w != null) {
                return new Outcome(false, w);
            }
            GraphBounds.Split next = branch(g, ranges, rows[bj]);
            if (next == null) {
                return new Outcome(false, null);
            }
            List<GraphBounds.Split> on = new ArrayList<>(splits);
            on.add(next);
            List<GraphBounds.Split> off = new ArrayList<>(splits);
            off.add(new GraphBounds.Split(next.value(), next.element(), !next.active()));
            stack.push(off);
            stack.push(on);
        }
        return new Outcome(true, null);
    }

    /** Whether some value's range is empty (the splits contradict the bounds). */
    private static boolean empty(GraphBounds.Ranges ranges) {
        for (Range r : ranges.values()) {
            for (int i = 0; i < r.size(); i++) {
                if (r.lo()[i] > r.hi()[i]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Each split as {@code p·x + c <= 0}: a linear lower bound of {@code −ẑ} (active) or of {@code ẑ} (inactive). */
    private static List<SplitDual.Constraint> constraints(GraphBounds g, GraphBounds.Ranges ranges,
                                                         List<GraphBounds.Split> splits) {
        List<SplitDual.Constraint> out = new ArrayList<>();
        for (GraphBounds.Split s : splits) {
            double[][] row = new double[1][ranges.values()[s.value()].size()];
            row[0][s.element()] = s.active() ? -1 : 1;
            GraphBounds.Linear lin = g.pass(ranges, s.value(), row);
            out.add(new SplitDual.Constraint(lin.coef()[0], lin.constant()[0]));
        }
        return out;
    }

    /** The unstable ReLU element with the largest BaBSR score in the bound of {@code row}, or null. */
    private static GraphBounds.Split branch(GraphBounds g, GraphBounds.Ranges ranges, double[] row) {
        int nv = g.dag().valueCount();
        Backward pb = new Backward(1);
        pb.unstable = new double[nv][][];
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound relu) {
                pb.unstable[1 + k] = new double[1][relu.size()];
            }
        }
        g.pass(ranges, g.output(), new double[][] {row.clone()}, pb);
        GraphBounds.Split best = null;
        double score = 0;
        for (int v = 1; v < nv; v++) {
            if (pb.unstable[v] == null) {
                continue;
            }
            int u = g.dag().nodes().get(v - 1).arg(0);
            Range z = ranges.values()[u];
            double[] a = pb.unstable[v][0];
            for (int i = 0; i < a.length; i++) {
                double l = z.lo()[i];
                double h = z.hi()[i];
                if (a[i] == 0 || !(l < 0 && h > 0)) {
                    continue;
                }
                double s = Math.abs(a[i]) * (-l * h / (h - l));
                if (s > score) {
                    score = s;
                    best = new GraphBounds.Split(u, i, true);
                }
            }
        }
        return best;
    }

    private static double[][] copy(double[][] rows) {
        return AlphaCrown.copy(rows);
    }
}
