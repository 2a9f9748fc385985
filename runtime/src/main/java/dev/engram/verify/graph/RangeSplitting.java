package dev.engram.verify.graph;

import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Intermediate bounds beyond the single-neuron (triangle) relaxation: each unstable element of a chosen value, each
 * side, gets a small branch and bound of its own over splits of unstable ReLU elements of earlier values (β-CROWN on
 * the element as objective, BaBSR's choice of split, the leaf with the lowest bound expanded first), and its bound
 * is the lowest over the leaves. The leaves' regions cover the box (a split is {@code ẑ >= 0} or {@code ẑ <= 0}), each
 * leaf's bound holds on its region, and a leaf no execution meets (an empty range) is dropped: the minimum bounds the
 * element everywhere. α-CROWN's intermediate bounds are what the triangle LP per element gives (measured on eran's
 * mnist_relu_9_200: the same to 3 decimals); the exact (MILP) bounds of the second hidden layer there move the root
 * margins by 2.4, which only splitting reaches.
 */
final class RangeSplitting {
    /** The first this many tightened ReLU arguments get their elements split (0: none). */
    static final int LAYERS = Integer.getInteger("engram.verify.rangeSplitLayers", 2);
    /** Subdomains bounded per element and side. */
    private static final int BUDGET = Integer.getInteger("engram.verify.rangeSplits", 32);
    /** α/β steps per subdomain. */
    private static final int STEPS = Integer.getInteger("engram.verify.rangeSplitSteps", 3);
    /**
     * The share of the time left a value's splitting may take; past it, each element keeps the lowest leaf bound it
     * has, and those not started keep their α-CROWN bound.
     */
    private static final double SHARE = Double.parseDouble(System.getProperty("engram.verify.rangeSplitShare", "0.3"));
    /** A value with more unstable elements than this is not split (the cost grows with each one). */
    private static final int MAX_ELEMENTS = Integer.getInteger("engram.verify.rangeSplitMax", 256);

    private final GraphBounds g;
    private final GraphBounds.Ranges root;
    private final int v;
    private final Deadline deadline;
    private final Deadline soft;

    private RangeSplitting(GraphBounds g, GraphBounds.Ranges root, int v, Deadline deadline) {
        this.g = g;
        this.root = root;
        this.v = v;
        this.deadline = deadline;
        double left = deadline.secondsLeft();
        soft = Double.isInfinite(left) ? Deadline.NONE : Deadline.after(SHARE * left);
    }

    /** One leaf: its splits, ranges, bound and parameters (a warm start for its children). */
    private record Leaf(List<GraphBounds.Split> splits, GraphBounds.Ranges ranges, double bound,
                        BetaCrown.Result res) {
    }

    /**
     * Bounds of value v's elements unstable in {@code r} (the others infinite), given the earlier values' ranges in
     * {@code partial}; the elements and sides on {@code threads} threads. Null when v has too many.
     */
    static Range tighten(GraphBounds g, GraphBounds.Ranges partial, int v, Range r, int threads, Deadline deadline) {
        int n = r.size();
        List<Integer> unstable = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (r.lo()[i] < 0 && r.hi()[i] > 0) {
                unstable.add(i);
            }
        }
        if (unstable.isEmpty() || unstable.size() > MAX_ELEMENTS) {
            return null;
        }
        double[] lo = new double[n];
        double[] hi = new double[n];
        java.util.Arrays.fill(lo, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(hi, Double.POSITIVE_INFINITY);
        RangeSplitting s = new RangeSplitting(g, partial, v, deadline);
        List<Runnable> tasks = new ArrayList<>();
        for (int i : unstable) {
            tasks.add(() -> lo[i] = s.search(i, n, 1));
            tasks.add(() -> hi[i] = -s.search(i, n, -1));
        }
        Parallel.run(tasks, threads);
        return new Range(lo, hi);
    }

    /** The lowest leaf bound of {@code sign · ẑ_i} after at most {@link #BUDGET} subdomains ({@code n}: v's size). */
    private double search(int i, int n, int sign) {
        deadline.check();
        if (soft.passed()) {
            return Double.NEGATIVE_INFINITY; // not tightened here
        }
        double[][] row = new double[1][n];
        row[0][i] = sign;
        PriorityQueue<Leaf> open = new PriorityQueue<>((a, b) -> Double.compare(a.bound(), b.bound()));
        BetaCrown.Result res = optimise(root, List.of(), row, null);
        open.add(new Leaf(List.of(), root, res.linear().bound()[0], res));
        double rootBound = res.linear().bound()[0];
        for (int count = 1; count < BUDGET && !open.isEmpty() && !soft.passed(); ) {
            Leaf leaf = open.poll();
            GraphBounds.Split next = SmartBranching.babsr(g, leaf.ranges(), leaf.res().unstable(), 0);
            if (next == null) {
                open.add(leaf); // exact on its region: nothing to split
                break;
            }
            for (boolean active : new boolean[] {true, false}) {
                GraphBounds.Split s = new GraphBounds.Split(next.value(), next.element(), active);
                GraphBounds.Ranges child = g.withSplit(leaf.ranges(), s);
                List<GraphBounds.Split> splits = new ArrayList<>(leaf.splits());
                splits.add(s);
                child = child == null ? null : g.refine(child, splits, s.value(), v, deadline);
                if (child == null) {
                    continue; // no execution meets the splits
                }
                BetaCrown.Result r = optimise(child, splits, row, leaf.res().params());
                open.add(new Leaf(splits, child, Math.max(leaf.bound(), r.linear().bound()[0]), r));
                count++;
            }
        }
        // every leaf dropped: no execution reaches the box (cannot happen for a box's own ranges); keep the root's
        return open.isEmpty() ? rootBound : open.peek().bound();
    }

    private BetaCrown.Result optimise(GraphBounds.Ranges ranges, List<GraphBounds.Split> splits, double[][] row,
                                      BetaCrown.Params start) {
        return BetaCrown.optimise(g, ranges, v, splits, BetaCrown.copy(row), new double[] {Double.POSITIVE_INFINITY},
                STEPS, start, Tightening.RANGE_RATE, deadline);
    }
}
