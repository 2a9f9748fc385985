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
 * with 0 steps on that child (the oracle: the whole pass FSB made before), bit for bit.
 */
class ResumedPassProperties {

    @Test
    void aResumedPassIsTheWholePassBitForBit() {
        int children = PropertyRuns.totals(80, seed -> new int[] {check(seed)})[0];
        System.out.printf("[resumed pass] %d children compared%n", children);
        assertTrue(children >= 80, "most cases should have unstable elements to split");
    }

    /** One case: the number of children compared. */
    private static int check(long seed) {
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
            return 0;
        }
        BetaCrown.Params start = params(g, splits.size(), r);
        double[] row = RandomNets.gaussians(r, m);
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
