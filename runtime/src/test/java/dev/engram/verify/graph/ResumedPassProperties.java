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
 * with 0 steps on that child (the oracle: the whole pass FSB made before), bit for bit. And FSB's choice, which skips
 * children that cannot change it, is the choice that bounds every child.
 */
class ResumedPassProperties {

    @Test
    void aResumedPassIsTheWholePassBitForBit() {
        int children = PropertyRuns.totals(80, seed -> new int[] {check(seed)})[0];
        System.out.printf("[resumed pass] %d children compared%n", children);
        assertTrue(children >= 80, "most cases should have unstable elements to split");
    }

    /**
     * FSB's choice skips the second child of a candidate whose first child already counts no more than the best
     * candidate so far: the same element as bounding every child (the oracle: {@link SmartBranching#choose} without
     * skipping, the choice before), after 0 to 3 optimisation steps from the case's warm start.
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
            GraphBounds.Split all = SmartBranching.choose(k.g(), k.ranges(), k.splits(), rows, res, 0, false,
                    Deadline.NONE);
            GraphBounds.Split pruned = SmartBranching.choose(k.g(), k.ranges(), k.splits(), rows, res, 0, true,
                    Deadline.NONE);
            assertEquals(all, pruned, "seed " + seed);
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
                BetaCrown.firstPass(g, ranges, g.output(), splits, 1, start), at);
        int compared = 0;
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
                        BetaCrown.firstPass(g, child, g.output(), more, 1, start));
                String what = "seed " + seed + " split " + s + ": ";
                assertEquals(Double.doubleToRawLongBits(whole.bound()[0]),
                        Double.doubleToRawLongBits(resumed.bound()[0]),
                        what + "bound " + whole.bound()[0] + " (whole) vs " + resumed.bound()[0] + " (resumed)");
                assertTrue(Arrays.equals(whole.coef()[0], resumed.coef()[0]), what + "coefficients");
                assertEquals(Double.doubleToRawLongBits(whole.constant()[0]),
                        Double.doubleToRawLongBits(resumed.constant()[0]), what + "constant");
                compared++;
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
