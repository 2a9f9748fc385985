package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.model.dag.GraphOrtProperties;
import dev.engram.model.dag.OnnxGraphBuilder;
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
 * Several subdomains bounded in one batch ({@link BetaCrown#optimiseAll}) get what each gets alone
 * ({@link BetaCrown#optimise}), bit for bit: the bounds, coefficients and constants, the last and the best slopes and
 * multipliers, and the coefficients met at unstable elements. Cases: random ReLU networks run as graphs (the first
 * layer relaxed in the input space, {@link InputHull}) and random conv → ReLU → pool → dense graphs (max pooling reads
 * each subdomain's ranges); 2 to 5 subdomains of a random box, each 0 to 3 splits deep (signs of an anchor input as
 * executed, refined or not), each from no warm start, a random dense one or a random sparse one; random objective
 * rows and stop values, so that some subdomains leave the batch early. The oracle is the single-subdomain
 * optimisation the batch replaces; its soundness is tested elsewhere ({@code SplitDomainProperties}).
 */
class BatchedDomainsProperties {

    @Test
    void aBatchGivesEachSubdomainItsOwnResultBitForBit() {
        int[] t = PropertyRuns.totals(60, BatchedDomainsProperties::check);
        System.out.printf("[batched domains] %d batches (%d of conv graphs), %d subdomains, %d left early%n", t[0],
                t[1], t[2], t[3]);
        assertTrue(t[0] >= 40, "most cases should make a batch");
        assertTrue(t[1] >= 5, "some batches should come from conv graphs");
        assertTrue(t[3] > 0, "some subdomains should reach their stop value before the last step");
    }

    /** One case: {1 if batched, 1 if a conv graph, subdomains, subdomains whose bound reached the stop value}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        boolean conv = r.nextBoolean();
        RandomGraphs.ReluCase gen = conv ? conv(r, seed) : RandomGraphs.ReluCase.of(r);
        if (gen == null) {
            return new int[4];
        }
        GraphBounds g = gen.g();
        RandomGraphs.Anchor anchor = RandomGraphs.Anchor.of(r, gen);
        GraphBounds.Ranges root = gen.rootRanges(r);
        int m = 1 + r.nextInt(2);
        int n = 2 + r.nextInt(4);
        List<BetaCrown.Domain> domains = new ArrayList<>();
        for (int d = 0; d < n; d++) {
            domains.add(domain(r, g, anchor, root, m, seed));
        }
        double[][] rows = new double[m][];
        double[] stop = new double[m];
        double[] crown = g.lower(root, rows(r, gen.outputs(), rows)).bound();
        for (int q = 0; q < m; q++) {
            stop[q] = r.nextInt(3) == 0 ? Double.POSITIVE_INFINITY
                    : crown[q] + r.nextDouble() * (1 + Math.abs(crown[q]));
        }
        int steps = r.nextInt(7);
        List<BetaCrown.Result> batch = BetaCrown.optimiseAll(g, domains, BetaCrown.copy(rows), stop, steps,
                Deadline.NONE);
        int early = 0;
        for (int d = 0; d < n; d++) {
            BetaCrown.Domain dom = domains.get(d);
            BetaCrown.Result alone = BetaCrown.optimise(g, dom.ranges(), dom.splits(), BetaCrown.copy(rows), stop,
                    steps, dom.start(), Deadline.NONE);
            same(alone, batch.get(d), "seed " + seed + " subdomain " + d + " of " + n + ", " + steps + " steps: ");
            for (int q = 0; q < m; q++) {
                early += alone.linear().bound()[q] > stop[q] ? 1 : 0;
            }
        }
        return new int[] {1, conv ? 1 : 0, n, early};
    }

    /** A random conv → ReLU → (pool) → Gemm graph with a ReLU and no S-curve, as a case; null when none came. */
    private static RandomGraphs.ReluCase conv(Random r, long seed) {
        OnnxGraphBuilder b = GraphOrtProperties.convPoolDense(r);
        if (!GraphOrtProperties.accepted(b, seed)) {
            return null;
        }
        Dag dag = RandomGraphs.parse(b, seed);
        GraphBounds g = GraphBounds.of(dag);
        boolean curve = g.ops().stream().anyMatch(o -> o instanceof SCurveBound);
        if (!g.hasRelu() || curve) {
            return null;
        }
        return new RandomGraphs.ReluCase(dag, g, RandomGraphs.box(r, g.inputSize()), g.outputSize());
    }

    /** Random rows of the outputs into {@code rows}; copies of them returned (a pass consumes its rows). */
    private static double[][] rows(Random r, int outputs, double[][] rows) {
        for (int q = 0; q < rows.length; q++) {
            rows[q] = RandomNets.gaussians(r, outputs);
        }
        return BetaCrown.copy(rows);
    }

    /** A subdomain 0 to 3 splits below the root, with no warm start, a random dense one or that one made sparse. */
    private static BetaCrown.Domain domain(Random r, GraphBounds g, RandomGraphs.Anchor anchor,
                                           GraphBounds.Ranges root, int m, long seed) {
        List<GraphBounds.Split> splits = new ArrayList<>();
        GraphBounds.Ranges ranges = root;
        GraphBounds.Ranges parent = root;
        boolean refine = r.nextBoolean();
        int depth = r.nextInt(4);
        for (int j = 0; j < depth; j++) {
            GraphBounds.Split s = anchor.split(r, g, ranges);
            if (s == null) {
                break;
            }
            parent = ranges;
            ranges = RandomGraphs.split(g, ranges, splits, s, refine, seed);
        }
        int kind = r.nextInt(3);
        if (kind == 0) {
            return new BetaCrown.Domain(ranges, List.copyOf(splits), null);
        }
        int held = Math.max(0, splits.size() - r.nextInt(2)); // a warm start covers a prefix of the splits
        double[][] beta = new double[m][held];
        double[][] scale = new double[m][held];
        for (int q = 0; q < m; q++) {
            for (int j = 0; j < held; j++) {
                beta[q][j] = r.nextBoolean() ? 0 : 2 * r.nextDouble();
                scale[q][j] = 0.5 + r.nextDouble();
            }
        }
        BetaCrown.Params dense = new BetaCrown.Params(RandomGraphs.randomAlpha(g, m, r), beta, scale);
        return new BetaCrown.Domain(ranges, List.copyOf(splits), kind == 1 ? dense : dense.sparse(g, parent));
    }

    /** Every number of the two results equal, bit for bit. */
    private static void same(BetaCrown.Result want, BetaCrown.Result got, String at) {
        GraphBounds.Linear a = want.linear();
        GraphBounds.Linear b = got.linear();
        assertTrue(Arrays.equals(a.bound(), b.bound()), at + "bounds " + Arrays.toString(a.bound()) + " alone, "
                + Arrays.toString(b.bound()) + " in the batch");
        assertTrue(Arrays.deepEquals(a.coef(), b.coef()), at + "coefficients");
        assertTrue(Arrays.equals(a.constant(), b.constant()), at + "constants");
        assertTrue(Arrays.deepEquals(want.params().alpha(), got.params().alpha()), at + "last slopes");
        assertTrue(Arrays.deepEquals(want.params().beta(), got.params().beta()), at + "last multipliers");
        assertTrue(Arrays.deepEquals(want.best().alpha(), got.best().alpha()), at + "best slopes");
        assertTrue(Arrays.deepEquals(want.best().beta(), got.best().beta()), at + "best multipliers");
        assertTrue(Arrays.deepEquals(want.unstable(), got.unstable()), at + "coefficients met at unstable elements");
        assertEquals(want.params().scale().length, got.params().scale().length, at + "rows");
    }
}
