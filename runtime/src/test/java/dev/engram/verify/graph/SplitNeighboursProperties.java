package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.PropertyRuns;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Soundness of {@link SplitNeighbours}: on random conv nets (an optional scaling, one or two 2×2 convolutions with
 * ReLU, a dense head) run as graphs, random boxes and one to four splits whose signs are those of an anchor input as
 * executed, each split followed by {@link SplitNeighbours#narrow} without its work limit: every float32 input of the
 * box whose executed pre-activations meet the splits has every executed value (the input, the scaled input, each
 * convolution's output) inside the narrowed ranges, and its executed output above a β-CROWN bound on them (exactly
 * compared). Samples outside the subdomain are not checked. The count of narrowed elements must be positive (the
 * property is not vacuous).
 */
class SplitNeighboursProperties {

    @Test
    void narrowedRangesHoldInsideTheSubdomain() {
        int[] t = PropertyRuns.totals(60, SplitNeighboursProperties::check);
        System.out.printf("[split neighbours] %d samples inside their subdomains checked, %d elements narrowed%n",
                t[0], t[1]);
        assertTrue(t[0] >= 300, "enough samples should fall inside the subdomains");
        assertTrue(t[1] >= 30, "the splits should narrow some neighbours");
    }

    /** One case: {samples checked inside the subdomain, elements the narrowing changed}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        OnnxGraphBuilder b = new OnnxGraphBuilder(13, r);
        int c = 1 + r.nextInt(2);
        int h = 3 + r.nextInt(4);
        int w = 3 + r.nextInt(4);
        String y = b.input("x", 1, c, h, w);
        if (r.nextBoolean()) {
            float scale = (float) Math.pow(10, r.nextInt(5) - 2);
            y = b.node("Mul", new String[] {y, b.floats(new float[] {scale}, 1)});
        }
        int co = 2 + r.nextInt(6);
        y = b.node("Relu", b.node("Conv", new String[] {y, b.random(0.5f, co, c, 2, 2), b.random(0.3f, co)}));
        int hh = h - 1;
        int ww = w - 1;
        if (r.nextBoolean()) {
            int c2 = 2 + r.nextInt(3);
            y = b.node("Relu", b.node("Conv", new String[] {y, b.random(0.5f, c2, co, 2, 2), b.random(0.3f, c2)}));
            co = c2;
            hh--;
            ww--;
        }
        int m = 1 + r.nextInt(3);
        y = b.node("Gemm", new String[] {b.node("Flatten", y, "axis", 1L), b.random(0.5f, m, co * hh * ww),
            b.random(0.5f, m)}, "transB", 1L);
        b.output(y);
        Dag dag = RandomGraphs.parse(b, seed);
        GraphBounds g = GraphBounds.of(dag);
        int n = g.inputSize();
        Box box = RandomGraphs.box(r, n);
        GraphBounds.Ranges ranges = g.ranges(box, r.nextBoolean() ? 0 : 1 + r.nextInt(3), 1, Deadline.NONE);
        int samples = 400;
        float[][] x = RandomGraphs.samples(r, box, samples);
        Map<Integer, float[][]> executed = new HashMap<>();
        List<GraphBounds.Split> splits = new ArrayList<>();
        int anchor = r.nextInt(samples);
        int changed = 0;
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
            List<int[]> unstable = RandomGraphs.unstable(g, ranges);
            if (unstable.isEmpty()) {
                break;
            }
            int[] e = unstable.get(r.nextInt(unstable.size()));
            float[][] z = executed.computeIfAbsent(e[0], u -> RandomGraphs.valueAt(dag, u, x));
            GraphBounds.Split s = new GraphBounds.Split(e[0], e[1], z[anchor][e[1]] >= 0);
            splits.add(s);
            GraphBounds.Ranges clamped = g.withSplit(ranges, s);
            GraphBounds.Ranges out = clamped == null ? null
                    : SplitNeighbours.narrow(g, clamped, s, Double.POSITIVE_INFINITY);
            if (out == null) {
                fail("seed " + seed + ": the anchor meets the splits, yet a range became empty with " + splits);
            }
            changed += differing(clamped, out);
            ranges = out;
        }
        if (splits.isEmpty()) {
            return new int[] {0, 0};
        }
        double[][] rows = new double[2][m];
        for (double[] row : rows) {
            for (int o = 0; o < m; o++) {
                row[o] = r.nextGaussian();
            }
        }
        double[] never = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        GraphBounds.Linear lin = BetaCrown.optimise(g, ranges, splits, BetaCrown.copy(rows), never, r.nextInt(10),
                null, Deadline.NONE).linear();
        float[][] out = new GraphExecutor(dag).run(x);
        int checked = 0;
        for (int s = 0; s < samples; s++) {
            for (GraphBounds.Split sp : splits) {
                executed.computeIfAbsent(sp.value(), u -> RandomGraphs.valueAt(dag, u, x));
            }
            if (!RandomGraphs.meets(splits, executed, s)) {
                continue;
            }
            checked++;
            for (int v = 0; v < dag.valueCount(); v++) {
                if (v > 0 && !(g.ops().get(v - 1) instanceof AffineOp)) {
                    continue; // the values narrowing can change: the input and the affine operators' results
                }
                float[] val = v == 0 ? x[s] : executed.computeIfAbsent(v, u -> RandomGraphs.valueAt(dag, u,
                        x))[s];
                Range z = ranges.values()[v];
                for (int i = 0; i < val.length; i++) {
                    if (!(val[i] >= z.lo()[i] && val[i] <= z.hi()[i])) {
                        fail("seed " + seed + ": value " + v + "[" + i + "] = " + val[i] + " outside its narrowed "
                                + "range [" + z.lo()[i] + ", " + z.hi()[i] + "] with " + splits);
                    }
                }
            }
            RandomGraphs.assertAbove(rows, out[s], lin.bound(), seed, splits);
        }
        assertTrue(checked > 0, "seed " + seed + ": the anchor lies inside its subdomain");
        return new int[] {checked, changed};
    }

    /** Elements whose range differs between a and b (any value). */
    private static int differing(GraphBounds.Ranges a, GraphBounds.Ranges b) {
        int n = 0;
        for (int v = 0; v < a.values().length; v++) {
            Range p = a.values()[v];
            Range q = b.values()[v];
            for (int i = 0; p != null && i < p.size(); i++) {
                n += p.lo()[i] != q.lo()[i] || p.hi()[i] != q.hi()[i] ? 1 : 0;
            }
        }
        return n;
    }
}
