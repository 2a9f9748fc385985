package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.PropertyRuns;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link InputHull} on random nets whose first operator is a Gemm or a 2×2 convolution of the input followed by a
 * ReLU (then optionally a second affine + ReLU layer, and a Gemm head), random boxes and random rows:
 *
 * <ul>
 *   <li>soundness: every sampled float32 input (one in five at a corner) has its executed output above the bound of
 *       one pass, of α-CROWN with the input-space relaxation (its passes warm-started from the previous pass's
 *       functions), and of a pass warm-started from arbitrary functions (exactly compared);
 *   <li>never looser than the triangle (the same pass with {@link Backward#triangleOnly}), up to rounding;
 *   <li>independent oracle: where the first layer's fan-in is at most 5, the bound of one pass is at most the LP with
 *       every facet of every first-layer element's envelope ({@link TriangleLp} with {@code hull}; GLOP): a bound
 *       above it would not follow from the relaxation.
 * </ul>
 * The count of rows where the hull beat the triangle must be positive (the property is not vacuous).
 */
class InputHullProperties {

    @Test
    void boundsHoldAndAreNoLooserThanTheTriangle() {
        int[] t = PropertyRuns.totals(60, InputHullProperties::check);
        System.out.printf("[input hull] %d samples checked, %d rows tighter than the triangle, %d LP comparisons%n",
                t[0], t[1], t[2]);
        assertTrue(t[0] >= 3000, "every case checks samples");
        assertTrue(t[1] >= 10, "the hull should beat the triangle on some rows");
        assertTrue(t[2] >= 20, "enough cases should be small enough for the LP");
    }

    @Test
    void certifiedRaisesAnyFunctionToAValidUpperBound() {
        Random r = new Random(7);
        for (int c = 0; c < 200; c++) {
            int fan = 1 + r.nextInt(5);
            double[] w = new double[fan];
            int[] idx = new int[fan];
            for (int t = 0; t < fan; t++) {
                w[t] = r.nextGaussian();
                idx[t] = t;
            }
            SparseAffine m = new SparseAffine(1, fan, idx, w, new double[] {r.nextGaussian()}, fan);
            Box box = RandomGraphs.box(r, fan);
            Range x = new Range(box.lo(), box.hi());
            double[] f = new double[fan];
            for (int t = 0; t < fan; t++) {
                f[t] = r.nextGaussian(); // any function: the constant must make it an upper bound
            }
            double err = r.nextBoolean() ? 0 : Math.abs(r.nextGaussian()) * 1e-3;
            double fc = new InputHull(m).certified(0, f, r.nextGaussian(), x, err);
            for (int s = 0; s < 1000; s++) {
                double fx = fc;
                double z = m.b[0];
                for (int t = 0; t < fan; t++) {
                    double p = s % 3 == 0 ? (r.nextBoolean() ? box.lo()[t] : box.hi()[t])
                            : box.lo()[t] + r.nextDouble() * (box.hi()[t] - box.lo()[t]);
                    fx += f[t] * p;
                    z += w[t] * p;
                }
                double need = Math.max(0, z + err);
                if (!(fx >= need - 1e-12 * (1 + Math.abs(need)))) {
                    fail("case " + c + ": F = " + fx + " below relu(z + err) = " + need);
                }
            }
        }
    }

    @Test
    void lineSearchFindsTheBestMixOnAGrid() {
        Random r = new Random(11);
        for (int c = 0; c < 300; c++) {
            int n = 1 + r.nextInt(6);
            Box box = RandomGraphs.box(r, n);
            Range x = new Range(box.lo(), box.hi());
            double[] g = new double[n + 1];
            double[] g1 = new double[n + 1];
            for (int i = 0; i <= n; i++) {
                g[i] = r.nextGaussian();
                g1[i] = r.nextInt(4) == 0 ? g[i] : r.nextGaussian();
            }
            double gamma = InputHull.lineSearch(g, g1, x, new InputHull.Scratch(n, 0));
            double at = mixed(g, g1, x, gamma);
            for (int k = 0; k <= 1000; k++) {
                double other = mixed(g, g1, x, k / 1000.0);
                if (other > at + 1e-9 * (1 + Math.abs(at))) {
                    fail("case " + c + ": γ = " + gamma + " gives " + at + ", γ = " + k / 1000.0 + " gives " + other);
                }
            }
        }
    }

    private static double mixed(double[] g, double[] g1, Range x, double gamma) {
        int n = g.length - 1;
        double s = (1 - gamma) * g[n] + gamma * g1[n];
        for (int i = 0; i < n; i++) {
            double c = (1 - gamma) * g[i] + gamma * g1[i];
            s += c * (c > 0 ? x.lo()[i] : x.hi()[i]);
        }
        return s;
    }

    /**
     * A pass whose first ReLU's rows warm-start from arbitrary functions ({@link Backward#warmHull}: random
     * coefficients and constants for every element, none of them an upper bound in general): the certificate must
     * make whatever the few steps end with valid.
     */
    private static Backward junkWarmStart(GraphBounds g, int rows, int fan, Random r) {
        Backward pb = new Backward(rows);
        pb.warmHull = new InputHull.Chosen[g.dag().valueCount()][];
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound relu) {
                int[] el = new int[relu.size()];
                double[][] fw = new double[el.length][fan];
                double[] fc = new double[el.length];
                for (int e = 0; e < el.length; e++) {
                    el[e] = e;
                    fc[e] = 2 * r.nextGaussian();
                    for (int t = 0; t < fan; t++) {
                        fw[e][t] = 2 * r.nextGaussian();
                    }
                }
                pb.warmHull[1 + k] = new InputHull.Chosen[rows];
                java.util.Arrays.fill(pb.warmHull[1 + k], new InputHull.Chosen(null, el, fw, fc));
                return pb; // the first ReLU: the one relaxed in the input space
            }
        }
        return pb;
    }

    /** One case: {samples checked, rows tighter than the triangle, LP comparisons}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        OnnxGraphBuilder b = new OnnxGraphBuilder(13, r);
        int fan;
        int width;
        String y;
        if (r.nextBoolean()) {
            int n = 2 + r.nextInt(7);
            fan = n;
            width = 2 + r.nextInt(10);
            y = b.node("Gemm", new String[] {b.input("x", 1, n), b.random(0.7f, width, n), b.random(0.5f, width)},
                    "transB", 1L);
            y = b.node("Relu", y);
        } else {
            int c = 1 + r.nextInt(2);
            int h = 3 + r.nextInt(3);
            int co = 2 + r.nextInt(4);
            fan = 4 * c;
            width = co * (h - 1) * (h - 1);
            y = b.node("Conv", new String[] {b.input("x", 1, c, h, h), b.random(0.6f, co, c, 2, 2),
                b.random(0.4f, co)});
            y = b.node("Flatten", b.node("Relu", y), "axis", 1L);
        }
        if (r.nextBoolean()) {
            int w2 = 2 + r.nextInt(6);
            y = b.node("Relu", b.node("Gemm", new String[] {y, b.random(0.5f, w2, width), b.random(0.5f, w2)},
                    "transB", 1L));
            width = w2;
        }
        int m = 1 + r.nextInt(3);
        y = b.node("Gemm", new String[] {y, b.random(0.6f, m, width), b.random(0.5f, m)}, "transB", 1L);
        b.output(y);
        Dag dag = RandomGraphs.parse(b, seed);
        GraphBounds g = GraphBounds.of(dag);
        Box box = RandomGraphs.box(r, g.inputSize());
        GraphBounds.Ranges ranges = g.ranges(box, r.nextInt(3), 1, Deadline.NONE);
        double[][] rows = new double[1 + r.nextInt(3)][m];
        for (double[] row : rows) {
            for (int o = 0; o < m; o++) {
                row[o] = r.nextGaussian();
            }
        }
        double[] hull = g.lower(ranges, BetaCrown.copy(rows)).bound();
        Backward triangle = new Backward(rows.length);
        triangle.triangleOnly = true;
        double[] tri = g.pass(ranges, g.output(), BetaCrown.copy(rows), triangle).bound();
        double[] never = new double[rows.length];
        java.util.Arrays.fill(never, Double.POSITIVE_INFINITY);
        double[] alpha = BetaCrown.optimise(g, ranges, List.of(), BetaCrown.copy(rows), never, r.nextInt(8), null,
                Deadline.NONE).linear().bound();
        double[] junk = g.pass(ranges, g.output(), BetaCrown.copy(rows), junkWarmStart(g, rows.length, fan, r))
                .bound();
        int tighter = 0;
        for (int q = 0; q < rows.length; q++) {
            double tol = 1e-6 * (1 + Math.abs(tri[q])); // the certificates' 2^-30 slack over the terms
            if (!(hull[q] >= tri[q] - tol)) {
                fail("seed " + seed + ": row " + q + " hull bound " + hull[q] + " below the triangle's " + tri[q]);
            }
            tighter += hull[q] > tri[q] + tol ? 1 : 0;
        }
        float[][] x = RandomGraphs.samples(r, box, 100);
        float[][] out = new GraphExecutor(dag).run(x);
        for (float[] o : out) {
            RandomGraphs.assertAbove(rows, o, hull, seed, "one pass");
            RandomGraphs.assertAbove(rows, o, alpha, seed, "alpha");
            RandomGraphs.assertAbove(rows, o, junk, seed, "a pass warm-started from arbitrary functions");
        }
        int compared = 0;
        if (fan <= 5) {
            try (TriangleLp lp = new TriangleLp(g, ranges, g.output(), true)) {
                for (int q = 0; q < rows.length; q++) {
                    double v = lp.min(rows[q]);
                    if (Double.isNaN(v)) {
                        continue; // GLOP did not solve it: no comparison
                    }
                    if (!(hull[q] <= v + 1e-5 * (1 + Math.abs(v)))) {
                        fail("seed " + seed + ": row " + q + " bound " + hull[q] + " above the hull LP's " + v);
                    }
                    compared++;
                }
            }
        }
        return new int[] {x.length, tighter, compared};
    }
}
