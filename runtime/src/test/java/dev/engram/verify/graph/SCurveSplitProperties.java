package dev.engram.verify.graph;

import dev.engram.model.ModelLimits;
import dev.engram.model.TestData;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.Box;
import dev.engram.verify.PropertyRuns;
import dev.engram.verify.RandomNets;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Soundness of an S-curve subdomain's bounds ({@link SCurveSplitSearch}: ranges from {@link GraphBounds#withSplit} and {@link GraphBounds#refine},
 * β-CROWN with splits at the cut points): random dense sigmoid/tanh stacks written as ONNX, random boxes, one to four
 * cuts of random elements at {@link SCurveSplitSearch#splitPoint}, each half chosen to hold an anchor input as
 * executed (so the subdomain is not empty), later ranges recomputed or not. For every float32 input of the box (400
 * sampled, a fifth at corners) whose pre-activations, as executed by our executor and, separately, by ONNX Runtime
 * (each judged by its own values, read from the same model cut at that layer), meet the cuts: every executed
 * pre-activation lies in the subdomain's ranges, the executed output in its output range, and random rows of it above
 * their optimised lower bounds (random warm-start tangent points anywhere in {@code [l − 1, u + 1]}, multipliers up to
 * 10, 0 to 11 steps), compared exactly. Samples outside the subdomain are not checked.
 */
class SCurveSplitProperties {

    @Test
    void cutSubdomainBoundsHoldInsideTheSubdomain() {
        int[] t = PropertyRuns.totals(50, seed -> {
            int checked = check(seed);
            return new int[] {checked > 0 ? 1 : 0, checked};
        });
        int cases = t[0];
        int inside = t[1];
        System.out.printf("[curve cuts] %d cases with cuts, %d executions inside their subdomains checked%n",
                cases, inside);
        assertTrue(cases >= 40, "most cases should have elements to cut");
        assertTrue(inside >= 1000, "enough samples should fall inside the subdomains");
    }

    /** One case: the executions (ours and ONNX Runtime's) checked inside the subdomain. */
    private static int check(long seed) throws ai.onnxruntime.OrtException {
        Random r = new Random(seed);
        int d = 2 + r.nextInt(8);
        int m = 1 + r.nextInt(3);
        List<byte[]> layers = new ArrayList<>();
        byte[] bytes = stack(r, d, m, layers);
        Dag dag = OnnxModel.parse(bytes, null, null, ModelLimits.defaults()).dag();
        GraphBounds g = GraphBounds.of(dag);
        List<Integer> args = new ArrayList<>(); // the S-curves' argument values, in layer order
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof SCurveBound) {
                args.add(dag.nodes().get(k).arg(0));
            }
        }
        assertEquals(layers.size(), args.size(), "one S-curve per layer");
        Box box = RandomGraphs.box(r, d);
        int samples = 400;
        float[][] x = RandomGraphs.samples(r, box, samples);
        // [executor][layer][sample][element]: pre-activations as executed by ours (0) and ONNX Runtime (1)
        float[][][][] pre = new float[2][layers.size()][][];
        for (int k = 0; k < layers.size(); k++) {
            pre[0][k] = RandomGraphs.valueAt(dag, args.get(k), x);
            pre[1][k] = TestData.ort(layers.get(k), x);
        }
        float[][][] out = {new GraphExecutor(dag).run(x), TestData.ort(bytes, x)};
        GraphBounds.Ranges ranges = g.ranges(box, r.nextBoolean() ? 0 : 2, Deadline.NONE);
        int anchor = r.nextInt(samples);
        List<GraphBounds.Split> cuts = new ArrayList<>();
        List<Integer> cutLayer = new ArrayList<>();
        for (int j = 1 + r.nextInt(4); j > 0; j--) {
            int k = r.nextInt(layers.size());
            int u = args.get(k);
            int i = r.nextInt(ranges.values()[u].size());
            double l = ranges.values()[u].lo()[i];
            double h = ranges.values()[u].hi()[i];
            double cut = SCurveSplitSearch.splitPoint(l, h);
            if (!(cut > l && cut < h)) {
                continue;
            }
            boolean above = pre[0][k][anchor][i] >= cut;
            GraphBounds.Split split = new GraphBounds.Split(u, i, above, cut);
            ranges = RandomGraphs.split(g, ranges, cuts, split, r.nextBoolean(), seed);
            cutLayer.add(k);
        }
        if (cuts.isEmpty()) {
            return 0;
        }
        double[][] rows = {RandomNets.gaussians(r, m), RandomNets.gaussians(r, m)};
        double[] never = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        GraphBounds.Linear lin = BetaCrown.optimise(g, ranges, cuts, BetaCrown.copy(rows), never, r.nextInt(12),
                warmStart(g, ranges, rows.length, cuts.size(), r), Deadline.NONE).linear();
        int checked = 0;
        for (int e = 0; e < 2; e++) {
            String who = e == 0 ? "engram" : "ORT";
            for (int s = 0; s < samples; s++) {
                if (!meets(cuts, cutLayer, pre[e], s)) {
                    continue;
                }
                checked++;
                for (int k = 0; k < layers.size(); k++) {
                    Range z = ranges.values()[args.get(k)];
                    for (int i = 0; i < z.size(); i++) {
                        float v = pre[e][k][s][i];
                        if (!(v >= z.lo()[i] && v <= z.hi()[i])) {
                            fail("seed " + seed + " (" + who + "): layer " + k + " element " + i + " = " + v
                                    + " outside its subdomain range [" + z.lo()[i] + ", " + z.hi()[i] + "]");
                        }
                    }
                }
                Range y = ranges.output(g);
                for (int o = 0; o < m; o++) {
                    float v = out[e][s][o];
                    if (!(v >= y.lo()[o] && v <= y.hi()[o])) {
                        fail("seed " + seed + " (" + who + "): output " + o + " = " + v + " outside its range");
                    }
                }
                for (int q = 0; q < rows.length; q++) {
                    double v = GraphBoundsProperties.exactDot(rows[q], out[e][s]);
                    if (!(v >= lin.bound()[q])) {
                        fail("seed " + seed + " (" + who + "): row " + q + " value " + v
                                + " below its subdomain bound " + lin.bound()[q] + " with cuts " + cuts);
                    }
                }
            }
        }
        assertTrue(checked > 0, "seed " + seed + ": the anchor lies inside its subdomain");
        return checked;
    }

    /** Whether sample s's pre-activations ({@code [layer][sample][element]}) meet every cut. */
    private static boolean meets(List<GraphBounds.Split> cuts, List<Integer> layer, float[][][] pre, int s) {
        for (int j = 0; j < cuts.size(); j++) {
            GraphBounds.Split c = cuts.get(j);
            float v = pre[layer.get(j)][s][c.element()];
            if (c.active() ? !(v >= c.threshold()) : !(v <= c.threshold())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Normalised input, one to three Gemm layers of 2 to 8 units each followed by a sigmoid or tanh, then a Gemm to
     * m outputs; each layer's pre-activation also as the output of a copy of the model so far (into {@code layers}).
     */
    private static byte[] stack(Random r, int d, int m, List<byte[]> layers) {
        OnnxGraphBuilder b = new OnnxGraphBuilder(13, r);
        String x = b.input("x", -1, d);
        int in = d;
        for (int l = 0, depth = 1 + r.nextInt(3); l < depth; l++) {
            int out = 2 + r.nextInt(7);
            x = b.node("Gemm", new String[] {x, b.random((float) (2 / Math.sqrt(in)), in, out), b.random(0.5f, out)});
            OnnxGraphBuilder cut = b.copy();
            cut.output(x);
            layers.add(cut.bytes());
            x = b.node(r.nextBoolean() ? "Sigmoid" : "Tanh", x);
            in = out;
        }
        x = b.node("Gemm", new String[] {x, b.random((float) (1 / Math.sqrt(in)), in, m), b.random(0.1f, m)});
        b.output(x);
        return b.bytes();
    }

    /** Null (CROWN's start) or random tangent points in {@code [l − 1, u + 1]} and multipliers up to 10. */
    private static BetaCrown.Params warmStart(GraphBounds g, GraphBounds.Ranges ranges, int rows, int k, Random r) {
        if (r.nextBoolean()) {
            return null;
        }
        double[][][] alpha = new double[g.dag().valueCount()][][];
        for (int o = 0; o < g.ops().size(); o++) {
            if (g.ops().get(o) instanceof SCurveBound op) {
                Range z = ranges.values()[g.dag().nodes().get(o).arg(0)];
                alpha[1 + o] = new double[rows][2 * op.size()];
                for (double[] row : alpha[1 + o]) {
                    for (int i = 0; i < row.length; i++) {
                        int e = i % op.size();
                        row[i] = z.lo()[e] - 1 + r.nextDouble() * (z.hi()[e] - z.lo()[e] + 2);
                    }
                }
            }
        }
        double[][] beta = new double[rows][k];
        double[][] scale = new double[rows][k];
        for (int q = 0; q < rows; q++) {
            for (int j = 0; j < k; j++) {
                beta[q][j] = 10 * r.nextDouble();
                scale[q][j] = 1 + r.nextDouble();
            }
        }
        return new BetaCrown.Params(alpha, beta, scale);
    }
}
