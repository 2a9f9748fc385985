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
 * A sparse warm start ({@link BetaCrown.Params#sparse}: the slopes of the ReLU elements unstable on a parent
 * subdomain's ranges only) changes nothing: on random ReLU networks run as graphs, random boxes, a parent subdomain
 * (zero to two splits, refined or not) and a child one split further (as {@link ReluSplitSearch} makes it), β-CROWN
 * started on the child from random dense parameters (a random slope in [0, 1] for every element, stable or not, and
 * random multipliers) and from the same parameters cut down to the parent's unstable elements gives the same bounds,
 * coefficients and constants, bit for bit, after a random number of steps, and the same slopes at the child's
 * unstable elements. The oracle is the dense start the sparse one replaces. Split signs are those of an anchor input
 * as executed, so no subdomain is empty (an empty one is a failure, not a skip).
 */
class SparseWarmStartProperties {

    @Test
    void sparseWarmStartGivesTheDenseBoundBitForBit() {
        int[] t = PropertyRuns.totals(80, SparseWarmStartProperties::check);
        int cases = t[0];
        int dropped = t[1];
        System.out.printf("[sparse warm start] %d cases, %d stable slopes dropped%n", cases, dropped);
        assertTrue(cases >= 40, "most cases should have an unstable element to split");
        assertTrue(dropped > 0, "some stable slopes should be dropped");
    }

    /** One case: {1 if it had a child to compare, the number of slopes the sparse start dropped}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        RandomGraphs.ReluCase gen = RandomGraphs.ReluCase.of(r);
        GraphBounds g = gen.g();
        RandomGraphs.Anchor anchor = RandomGraphs.Anchor.of(r, gen);
        GraphBounds.Ranges parent = gen.rootRanges(r);
        List<GraphBounds.Split> splits = new ArrayList<>();
        boolean refine = r.nextBoolean();
        int depth = 1 + r.nextInt(3); // the child's splits: the parent has one fewer
        for (int j = 0; j < depth; j++) {
            GraphBounds.Split s = anchor.split(r, g, parent);
            if (s == null) {
                return new int[] {0, 0};
            }
            GraphBounds.Ranges child = RandomGraphs.split(g, parent, splits, s, refine, seed);
            if (j == depth - 1) {
                return compare(seed, g, parent, child, splits, gen.outputs(), r);
            }
            parent = child;
        }
        throw new IllegalStateException("unreachable");
    }

    /** β-CROWN on {@code child} from a random dense start and from it made sparse on {@code parent}. */
    private static int[] compare(long seed, GraphBounds g, GraphBounds.Ranges parent, GraphBounds.Ranges child,
                                 List<GraphBounds.Split> splits, int m, Random r) {
        int rows = 1 + r.nextInt(2);
        double[][] a = new double[rows][];
        for (int q = 0; q < rows; q++) {
            a[q] = RandomNets.gaussians(r, m);
        }
        double[][][] alpha = RandomGraphs.randomAlpha(g, rows, r);
        double[][] beta = new double[rows][splits.size()];
        double[][] scale = new double[rows][splits.size()];
        for (int q = 0; q < rows; q++) {
            for (int j = 0; j < splits.size(); j++) {
                beta[q][j] = r.nextBoolean() ? 0 : 3 * r.nextDouble();
                scale[q][j] = 0.5 + r.nextDouble();
            }
        }
        BetaCrown.Params dense = new BetaCrown.Params(alpha, beta, scale);
        BetaCrown.Params sparse = dense.sparse(g, parent);
        int dropped = 0;
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound relu) {
                int held = sparse.index()[1 + k].length;
                Range z = parent.values()[g.dag().nodes().get(k).arg(0)];
                int unstable = 0;
                for (int i = 0; i < z.size(); i++) {
                    unstable += z.lo()[i] < 0 && z.hi()[i] > 0 ? 1 : 0;
                }
                assertEquals(unstable, held, "seed " + seed + ": the sparse start holds the unstable elements");
                dropped += relu.size() - held;
            }
        }
        int steps = r.nextInt(9);
        double[] never = new double[rows];
        Arrays.fill(never, Double.POSITIVE_INFINITY);
        BetaCrown.Result rd = BetaCrown.optimise(g, child, splits, BetaCrown.copy(a), never, steps, dense,
                Deadline.NONE);
        BetaCrown.Result rs = BetaCrown.optimise(g, child, splits, BetaCrown.copy(a), never, steps, sparse,
                Deadline.NONE);
        for (int q = 0; q < rows; q++) {
            String at = "seed " + seed + " row " + q + " after " + steps + " steps: ";
            assertEquals(Double.doubleToRawLongBits(rd.linear().bound()[q]),
                    Double.doubleToRawLongBits(rs.linear().bound()[q]), at + "bound " + rd.linear().bound()[q]
                            + " (dense) vs " + rs.linear().bound()[q] + " (sparse)");
            assertTrue(Arrays.equals(rd.linear().coef()[q], rs.linear().coef()[q]), at + "coefficients");
            assertEquals(Double.doubleToRawLongBits(rd.linear().constant()[q]),
                    Double.doubleToRawLongBits(rs.linear().constant()[q]), at + "constant");
            assertTrue(Arrays.equals(rd.params().beta()[q], rs.params().beta()[q]), at + "multipliers");
        }
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound) {
                Range z = child.values()[g.dag().nodes().get(k).arg(0)];
                for (int q = 0; q < rows; q++) {
                    for (int i = 0; i < z.size(); i++) {
                        if (z.lo()[i] < 0 && z.hi()[i] > 0) {
                            assertEquals(Double.doubleToRawLongBits(rd.params().alpha()[1 + k][q][i]),
                                    Double.doubleToRawLongBits(rs.params().alpha()[1 + k][q][i]),
                                    "seed " + seed + ": the slopes of unstable elements after the steps");
                        }
                    }
                }
            }
        }
        return new int[] {1, dropped};
    }
}
