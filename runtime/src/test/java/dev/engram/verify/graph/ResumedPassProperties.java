package dev.engram.verify.graph;

import dev.engram.verify.PropertyRuns;
import dev.engram.verify.RandomNets;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resumed pass ({@link GraphBounds#frontiers}, {@link GraphBounds#resume}, as {@link SmartBranching} scores its
 * candidates) is the whole pass: on random ReLU networks run as graphs, random boxes, a subdomain with zero to two
 * splits (signs of an anchor input as executed, so none is empty) and random slopes and multipliers, the pass of each
 * child of each unstable element (its range clamped, the new multiplier 0), resumed from one pass of the parent
 * stopped at the element's last reader, gives the bound, coefficients and constant of {@link BetaCrown#optimise}
 * with 0 steps on that child (the oracle: the whole pass FSB made before), bit for bit; so does each row of one pass
 * resuming all the children of a frontier at once ({@link PassFrontier#resumeAll}, each row on its child's ranges).
 * And FSB's choice, pruned or batched, is the choice that bounds every child one by one.
 */
class ResumedPassProperties {

    @Test
    void aResumedPassIsTheWholePassBitForBit() {
        int children = PropertyRuns.totals(80, seed -> new int[] {check(seed)})[0];
        System.out.printf("[resumed pass] %d children compared%n", children);
        assertTrue(children >= 80, "most cases should have unstable elements to split");
    }

    /**
     * FSB's choice when it skips the second child of a candidate whose first child already counts no more than the
     * best candidate so far, and when it bounds the children of each frontier in one pass: the same element as
     * bounding every child one by one (the oracle: {@link SmartBranching.Scoring#EACH}, the choice before), after 0
     * to 3 optimisation steps from the case's warm start.
     */
    @Test
    void skippingChildrenThatCannotWinChoosesTheSameElement() {
        int chosen = PropertyRuns.totals(80, seed -> {
            Case k = of(seed);
            if (k == null) {
                return new int[] {0};
            }
            double[][] rows = {k.row()};
            BetaCrown.Result res = BetaCrown.optimise(k.g(), k.ranges(), k.splits(), rows,
                    new double[] {Double.POSITIVE_INFINITY}, (int) Math.floorMod(seed, 4L), k.start(), Deadline.NONE);
            GraphBounds.Split all = SmartBranching.choose(k.g(), k.ranges(), k.splits(), rows, res, 0,
                    SmartBranching.Scoring.EACH, Deadline.NONE);
            GraphBounds.Split pruned = SmartBranching.choose(k.g(), k.ranges(), k.splits(), rows, res, 0,
                    SmartBranching.Scoring.PRUNED, Deadline.NONE);
            GraphBounds.Split batched = SmartBranching.choose(k.g(), k.ranges(), k.splits(), rows, res, 0,
                    SmartBranching.Scoring.BATCHED, Deadline.NONE);
            assertEquals(all, pruned, "seed " + seed + ": pruned");
            assertEquals(all, batched, "seed " + seed + ": batched");
            return new int[] {all == null ? 0 : 1};
        })[0];
        System.out.printf("[fsb pruning] %d choices compared%n", chosen);
        assertTrue(chosen >= 40, "most cases should have an element to choose");
    }

    /** A random subdomain to branch on: a graph, its ranges and splits, warm-start parameters and an output row. */
    private record Case(GraphBounds g, GraphBounds.Ranges ranges, List<GraphBounds.Split> splits,
                        BetaCrown.Params start, double[] row, List<int[]> candidates) {
    }

    /** The case of {@code seed}, or null when its subdomain has no unstable element. */
    private static Case of(long seed) {
        Random r = new Random(seed);
        int m = 1 + r.nextInt(3);
        int d = 2 + r.nextInt(10);
        RandomGraphs.ReluCase gen = RandomGraphs.ReluCase.of(r, d, m);
        GraphBounds g = gen.g();
        RandomGraphs.Anchor anchor = RandomGraphs.Anchor.of(r, gen);
        GraphBounds.Ranges ranges = gen.rootRanges(r);
        List<GraphBounds.Split> splits = new ArrayList<>();
        for (int j = r.nextInt(3); j > 0; j--) {
            GraphBounds.Split s = anchor.split(r, g, ranges);
            if (s == null) {
                break;
            }
            ranges = RandomGraphs.split(g, ranges, splits, s, false, seed);
        }
        List<int[]> candidates = RandomGraphs.unstable(g, ranges);
        if (candidates.isEmpty()) {
            return null;
        }
        BetaCrown.Params start = params(g, splits.size(), r);
        double[] row = RandomNets.gaussians(r, m);
        return new Case(g, ranges, splits, start, row, candidates);
    }

    /** One case: the number of children compared. */
    private static int check(long seed) {
        Case k = of(seed);
        if (k == null) {
            return 0;
        }
        GraphBounds g = k.g();
        GraphBounds.Ranges ranges = k.ranges();
        List<GraphBounds.Split> splits = k.splits();
        List<int[]> candidates = k.candidates();
        BetaCrown.Params start = k.start();
        double[] row = k.row();
        int[] at = new int[candidates.size()];
        for (int c = 0; c < at.length; c++) {
            at[c] = SmartBranching.lastReader(g, candidates.get(c)[0]);
        }
        PassFrontier[] above = PassFrontier.of(g, ranges, g.output(), new double[][] {row.clone()},
                BetaStart.firstPass(g, ranges, g.output(), splits, 1, start), at);
        int compared = 0;
        java.util.Map<PassFrontier, List<BetaCrown.Domain>> batches = new java.util.LinkedHashMap<>();
        java.util.Map<PassFrontier, List<GraphBounds.Linear>> wholes = new java.util.HashMap<>();
        for (int c = 0; c < at.length; c++) {
            for (boolean active : new boolean[] {true, false}) {
                GraphBounds.Split s = new GraphBounds.Split(candidates.get(c)[0], candidates.get(c)[1], active);
                GraphBounds.Ranges child = g.withSplit(ranges, s);
                if (child == null) {
                    continue;
                }
                List<GraphBounds.Split> more = new ArrayList<>(splits);
                more.add(s);
                GraphBounds.Linear whole = BetaCrown.optimise(g, child, more, new double[][] {row.clone()},
                        new double[] {Double.POSITIVE_INFINITY}, 0, start, Deadline.NONE).linear();
                GraphBounds.Linear resumed = above[c].resume(g, child,
                        BetaStart.firstPass(g, child, g.output(), more, 1, start));
                String what = "seed " + seed + " split " + s + ": ";
                assertEquals(Double.doubleToRawLongBits(whole.bound()[0]),
                        Double.doubleToRawLongBits(resumed.bound()[0]),
                        what + "bound " + whole.bound()[0] + " (whole) vs " + resumed.bound()[0] + " (resumed)");
                assertTrue(Arrays.equals(whole.coef()[0], resumed.coef()[0]), what + "coefficients");
                assertEquals(Double.doubleToRawLongBits(whole.constant()[0]),
                        Double.doubleToRawLongBits(resumed.constant()[0]), what + "constant");
                batches.computeIfAbsent(above[c], f -> new ArrayList<>()).add(new BetaCrown.Domain(child, more, start));
                wholes.computeIfAbsent(above[c], f -> new ArrayList<>()).add(whole);
                compared++;
            }
        }
        for (var e : batches.entrySet()) { // the children of one frontier in one pass, each row on its child's ranges
            List<BetaCrown.Domain> children = e.getValue();
            GraphBounds.Linear all = e.getKey().resumeAll(g, children.get(0).ranges(),
                    BetaStart.firstPassAll(g, children, g.output()));
            for (int i = 0; i < children.size(); i++) {
                GraphBounds.Linear whole = wholes.get(e.getKey()).get(i);
                String what = "seed " + seed + " child " + i + " of " + children.size() + " resumed together: ";
                assertEquals(Double.doubleToRawLongBits(whole.bound()[0]), Double.doubleToRawLongBits(all.bound()[i]),
                        what + "bound " + whole.bound()[0] + " (whole) vs " + all.bound()[i]);
                assertTrue(Arrays.equals(whole.coef()[0], all.coef()[i]), what + "coefficients");
                assertEquals(Double.doubleToRawLongBits(whole.constant()[0]),
                        Double.doubleToRawLongBits(all.constant()[i]), what + "constant");
            }
        }
        return compared;
    }

    /** Random dense slopes in [0, 1] for every ReLU element and multipliers for the splits. */
    private static BetaCrown.Params params(GraphBounds g, int splits, Random r) {
        double[][][] alpha = RandomGraphs.randomAlpha(g, 1, r);
        double[][] beta = new double[1][splits];
        double[][] scale = new double[1][splits];
        for (int j = 0; j < splits; j++) {
            beta[0][j] = r.nextBoolean() ? 0 : 3 * r.nextDouble();
            scale[0][j] = 1;
        }
        return new BetaCrown.Params(alpha, beta, scale);
    }
}
