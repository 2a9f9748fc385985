package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.PropertyRuns;
import dev.engram.verify.RandomNets;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Soundness of a split subdomain's bounds (β-CROWN, {@link BetaCrown}, on ranges from {@link GraphBounds#withSplit}):
 * on random ReLU networks run as graphs, random boxes and one to four splits of unstable elements whose signs are
 * those of an anchor input as executed (so the subdomain is not empty), every float32 input of the box whose executed
 * pre-activations meet the splits has its executed output above the optimised lower bound of random rows (exactly
 * compared), and its split values inside the clamped ranges. The slopes and multipliers are optimised for a random
 * number of steps from a random warm start (multipliers up to 10), so the bound depends on them; any valid choice
 * must hold. Samples outside the subdomain are not checked (the bound need not hold there). The root's ranges are
 * CROWN's or α-optimised for 1 to 4 steps (at the intermediate bounds' rate), on one or two threads (the same bits).
 */
class SplitDomainProperties {

    @Test
    void splitSubdomainBoundsHoldInsideTheSubdomain() {
        int[] t = PropertyRuns.totals(60, SplitDomainProperties::check);
        int inside = t[0];
        int splitCases = t[1];
        System.out.printf("[split domains] %d cases with splits, %d samples inside their subdomains checked%n",
                splitCases, inside);
        assertTrue(splitCases >= 30, "most cases should have unstable elements to split");
        assertTrue(inside >= 300, "enough samples should fall inside the subdomains");
    }

    /** One case: {samples checked inside the subdomain, 1 if it had splits}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        RandomGraphs.ReluCase gen = RandomGraphs.ReluCase.of(r);
        Dag dag = gen.dag();
        GraphBounds g = gen.g();
        Box box = gen.box();
        int m = gen.outputs();
        int steps = r.nextBoolean() ? 0 : 1 + r.nextInt(4);
        GraphBounds.Ranges root = g.ranges(box, steps, 1 + r.nextInt(2), Deadline.NONE);
        if (steps > 0) {
            sameRanges(seed, root, g.ranges(box, steps, 1, Deadline.NONE));
        }
        int samples = 400;
        float[][] x = RandomGraphs.samples(r, box, samples);
        // unstable ReLU arguments, their executed values per sample
        List<int[]> unstable = RandomGraphs.unstable(g, root);
        List<Integer> reluArgs = new ArrayList<>();
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound) {
                reluArgs.add(dag.nodes().get(k).arg(0));
            }
        }
        if (unstable.isEmpty()) {
            return new int[] {0, 0};
        }
        int anchor = r.nextInt(samples);
        List<GraphBounds.Split> splits = new ArrayList<>();
        GraphBounds.Ranges ranges = root;
        boolean refine = r.nextBoolean();
        java.util.Map<Integer, float[][]> executed = new java.util.HashMap<>();
        for (int j = 1 + r.nextInt(Math.min(4, unstable.size())); j > 0; j--) {
            int[] e = unstable.remove(r.nextInt(unstable.size()));
            float[][] z = executed.computeIfAbsent(e[0], u -> RandomGraphs.valueAt(dag, u, x));
            GraphBounds.Split s = new GraphBounds.Split(e[0], e[1], z[anchor][e[1]] >= 0);
            ranges = RandomGraphs.split(g, ranges, splits, s, refine, seed);
        }
        double[][] rows = {RandomNets.gaussians(r, m), RandomNets.gaussians(r, m)};
        BetaCrown.Params start = null;
        if (r.nextBoolean()) {
            double[][] beta = new double[rows.length][splits.size()];
            double[][] scale = new double[rows.length][splits.size()];
            for (int q = 0; q < rows.length; q++) {
                for (int j = 0; j < splits.size(); j++) {
                    beta[q][j] = 10 * r.nextDouble();
                    scale[q][j] = 1 + r.nextDouble();
                }
            }
            start = new BetaCrown.Params(RandomGraphs.randomAlpha(g, rows.length, r), beta, scale);
        }
        double[] never = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        GraphBounds.Linear lin = BetaCrown.optimise(g, ranges, splits, BetaCrown.copy(rows), never, r.nextInt(12),
                start, Deadline.NONE).linear();
        float[][] y = new GraphExecutor(dag).run(x);
        int checked = 0;
        for (int s = 0; s < samples; s++) {
            if (!RandomGraphs.meets(splits, executed, s)) {
                continue;
            }
            checked++;
            for (GraphBounds.Split sp : splits) {
                float v = executed.get(sp.value())[s][sp.element()];
                Range z = ranges.values()[sp.value()];
                if (!(v >= z.lo()[sp.element()] && v <= z.hi()[sp.element()])) {
                    fail("seed " + seed + ": split value " + v + " outside its clamped range");
                }
            }
            for (int u : reluArgs) {
                float[] v = executed.computeIfAbsent(u, q -> RandomGraphs.valueAt(dag, q, x))[s];
                Range z = ranges.values()[u];
                for (int i = 0; i < v.length; i++) {
                    if (!(v[i] >= z.lo()[i] && v[i] <= z.hi()[i])) {
                        fail("seed " + seed + ": value " + u + "[" + i + "] = " + v[i] + " outside its subdomain range"
                                + " [" + z.lo()[i] + ", " + z.hi()[i] + "] (refined " + refine + ") with " + splits);
                    }
                }
            }
            RandomGraphs.assertAbove(rows, y[s], lin.bound(), seed, splits);
        }
        assertTrue(checked > 0, "seed " + seed + ": the anchor lies inside its subdomain");
        return new int[] {checked, 1};
    }

    /** The optimised ranges do not depend on the threads that computed them: bit for bit the same. */
    static void sameRanges(long seed, GraphBounds.Ranges a, GraphBounds.Ranges b) {
        for (int v = 0; v < a.values().length; v++) {
            if (!java.util.Arrays.equals(a.values()[v].lo(), b.values()[v].lo())
                    || !java.util.Arrays.equals(a.values()[v].hi(), b.values()[v].hi())) {
                fail("seed " + seed + ": value " + v + "'s ranges differ between one and two threads");
            }
        }
    }
}
