package dev.engram.verify.graph;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Dags;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

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
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger splitCases = new AtomicInteger();
        qt().withExamples(60).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            int[] c = check(seed);
            inside.addAndGet(c[0]);
            splitCases.addAndGet(c[1]);
        });
        System.out.printf("[split domains] %d cases with splits, %d samples inside their subdomains checked%n",
                splitCases.get(), inside.get());
        assertTrue(splitCases.get() >= 30, "most cases should have unstable elements to split");
        assertTrue(inside.get() >= 300, "enough samples should fall inside the subdomains");
    }

    /** One case: {samples checked inside the subdomain, 1 if it had splits}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        int d = 2 + r.nextInt(10);
        int m = 1 + r.nextInt(3);
        Dag dag = Dags.of(net(r, d, m));
        GraphBounds g = GraphBounds.of(dag);
        Box box = box(r, d);
        int steps = r.nextBoolean() ? 0 : 1 + r.nextInt(4);
        GraphBounds.Ranges root = g.ranges(box, steps, 1 + r.nextInt(2), Deadline.NONE);
        if (steps > 0) {
            sameRanges(seed, root, g.ranges(box, steps, 1, Deadline.NONE));
        }
        int samples = 400;
        float[][] x = samples(r, box, samples);
        // unstable ReLU arguments, their executed values per sample
        List<int[]> unstable = unstable(g, root);
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
            float[][] z = executed.computeIfAbsent(e[0], u -> valueAt(dag, u, x));
            GraphBounds.Split s = new GraphBounds.Split(e[0], e[1], z[anchor][e[1]] >= 0);
            splits.add(s);
            ranges = g.withSplit(ranges, s);
            if (ranges != null && refine) {
                ranges = g.refine(ranges, splits, s.value(), Deadline.NONE);
            }
            if (ranges == null) {
                fail("seed " + seed + ": the anchor meets the splits, yet a range became empty");
            }
        }
        double[][] rows = new double[2][m];
        for (double[] row : rows) {
            for (int o = 0; o < m; o++) {
                row[o] = r.nextGaussian();
            }
        }
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
            start = new BetaCrown.Params(randomAlpha(g, rows.length, r), beta, scale);
        }
        double[] never = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        GraphBounds.Linear lin = BetaCrown.optimise(g, ranges, splits, BetaCrown.copy(rows), never, r.nextInt(12),
                start, Deadline.NONE).linear();
        float[][] y = new GraphExecutor(dag).run(x);
        int checked = 0;
        for (int s = 0; s < samples; s++) {
            if (!meets(splits, executed, s)) {
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
                float[] v = executed.computeIfAbsent(u, q -> valueAt(dag, q, x))[s];
                Range z = ranges.values()[u];
                for (int i = 0; i < v.length; i++) {
                    if (!(v[i] >= z.lo()[i] && v[i] <= z.hi()[i])) {
                        fail("seed " + seed + ": value " + u + "[" + i + "] = " + v[i] + " outside its subdomain range"
                                + " [" + z.lo()[i] + ", " + z.hi()[i] + "] (refined " + refine + ") with " + splits);
                    }
                }
            }
            for (int q = 0; q < rows.length; q++) {
                double v = GraphBoundsProperties.exactDot(rows[q], y[s]);
                if (!(v >= lin.bound()[q])) {
                    fail("seed " + seed + ": row " + q + " value " + v + " below its subdomain bound "
                            + lin.bound()[q] + " with " + splits);
                }
            }
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

    /** A random box of dimension d: centres N(0, 1), half-widths |N(0, 0.8)| + 0.001. */
    static Box box(Random r, int d) {
        double[] lo = new double[d];
        double[] hi = new double[d];
        for (int i = 0; i < d; i++) {
            double c = r.nextGaussian();
            double w = Math.abs(r.nextGaussian()) * 0.8 + 1e-3;
            lo[i] = c - w;
            hi[i] = c + w;
        }
        return new Box(lo, hi);
    }

    /** n float32 inputs inside the box, one in five at a corner. */
    static float[][] samples(Random r, Box box, int n) {
        int d = box.dimension();
        float[][] x = new float[n][d];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < d; i++) {
                double lo = box.lo()[i];
                double hi = box.hi()[i];
                double t = s % 5 == 0 ? (r.nextBoolean() ? 0 : 1) : r.nextDouble();
                x[s][i] = GraphBoundsProperties.inside(lo + t * (hi - lo), lo, hi);
            }
        }
        return x;
    }

    /** The unstable ReLU elements of the ranges, as {value, element}. */
    static List<int[]> unstable(GraphBounds g, GraphBounds.Ranges ranges) {
        List<int[]> unstable = new ArrayList<>();
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound) {
                int u = g.dag().nodes().get(k).arg(0);
                Range z = ranges.values()[u];
                for (int i = 0; i < z.size(); i++) {
                    if (z.lo()[i] < 0 && z.hi()[i] > 0) {
                        unstable.add(new int[] {u, i});
                    }
                }
            }
        }
        return unstable;
    }

    static boolean meets(List<GraphBounds.Split> splits, java.util.Map<Integer, float[][]> executed, int s) {
        for (GraphBounds.Split sp : splits) {
            float v = executed.get(sp.value())[s][sp.element()];
            if (sp.active() ? !(v >= 0) : !(v <= 0)) {
                return false;
            }
        }
        return true;
    }

    /** Value u of the graph as executed at each input: the graph with u as its output. */
    static float[][] valueAt(Dag dag, int u, float[][] x) {
        Dag cut = new Dag(dag.name(), dag.inputs(), dag.nodes(), List.of(new Dag.Output("z", u)));
        return new GraphExecutor(cut).run(x);
    }

    /**
     * A split of a random element unstable on {@code ranges}, with the sign value's element has at the anchor input
     * {@code x} as executed (memoised in {@code executed}), so that the anchor meets it; null when none is unstable.
     */
    static GraphBounds.Split anchorSplit(Random r, Dag dag, GraphBounds g, GraphBounds.Ranges ranges, float[][] x,
                                         java.util.Map<Integer, float[][]> executed) {
        List<int[]> unstable = unstable(g, ranges);
        if (unstable.isEmpty()) {
            return null;
        }
        int[] e = unstable.get(r.nextInt(unstable.size()));
        float z = executed.computeIfAbsent(e[0], u -> valueAt(dag, u, x))[0][e[1]];
        return new GraphBounds.Split(e[0], e[1], z >= 0);
    }

    static double[][][] randomAlpha(GraphBounds g, int rows, Random r) {
        double[][][] alpha = new double[g.dag().valueCount()][][];
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound relu) {
                alpha[1 + k] = new double[rows][relu.size()];
                for (double[] row : alpha[1 + k]) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = r.nextDouble();
                    }
                }
            }
        }
        return alpha;
    }

    /** One to three ReLU layers of 3 to 10 units, then m linear outputs; weights N(0, 1/fan-in), biases N(0, 0.1). */
    static DenseNetwork net(Random r, int inputs, int m) {
        int depth = 1 + r.nextInt(3);
        List<DenseLayer> layers = new ArrayList<>();
        int in = inputs;
        for (int l = 0; l <= depth; l++) {
            boolean last = l == depth;
            int out = last ? m : 3 + r.nextInt(8);
            float[][] w = new float[out][in];
            float[] b = new float[out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    w[o][i] = (float) (r.nextGaussian() / Math.sqrt(in));
                }
                b[o] = (float) (0.1 * r.nextGaussian());
            }
            layers.add(new DenseLayer("l" + l, w, b, last ? Activation.IDENTITY : Activation.RELU, 0, null, null));
            in = out;
        }
        return new DenseNetwork(layers);
    }
}
