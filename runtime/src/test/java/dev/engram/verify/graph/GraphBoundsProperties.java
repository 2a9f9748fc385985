package dev.engram.verify.graph;

import dev.engram.model.ModelLimits;
import dev.engram.model.TestData;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.GraphOrtProperties;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Soundness of the graph bounds: on random graphs (conv → pool → dense with every window option and activation,
 * residual blocks with concatenation, normalised dense stacks of sigmoid, tanh, ReLU and leaky ReLU), random boxes and
 * random float32 inputs inside them, the outputs as executed by our executor and by ONNX Runtime lie inside the
 * interval bounds and above every linear lower bound (of each output, its negation and random combinations; CROWN's
 * and α-CROWN's from random slopes and tangent points), compared exactly, with no tolerance; the intermediate ranges
 * CROWN's or α-optimised (1 to 4 steps, on one or two threads).
 */
class GraphBoundsProperties {

    @Test
    void convPoolDense() {
        property(40, GraphOrtProperties::convPoolDense);
    }

    @Test
    void residualBlocks() {
        property(30, GraphOrtProperties::residual);
    }

    @Test
    void denseSigmoidTanhStacks() {
        property(40, GraphOrtProperties::dense);
    }

    /** Inputs per graph, run as one batch by both executors. */
    static final int SAMPLES = 24;

    static void property(int examples, Function<Random, OnnxGraphBuilder> gen) {
        AtomicInteger checked = new AtomicInteger();
        qt().withExamples(examples).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            OnnxGraphBuilder b;
            byte[] bytes;
            Dag dag;
            try {
                b = gen.apply(r); // the generator asks ONNX Runtime for widths: it may refuse the graph already
                bytes = b.bytes();
                TestData.ort(bytes, new float[SAMPLES][inputSize(b)]); // the batch check() runs
            } catch (Exception e) {
                if (Boolean.getBoolean("engram.test.verbose")) {
                    System.err.println("skipped: " + e);
                }
                return; // a graph ONNX Runtime refuses: not a case
            }
            if (!GraphOrtProperties.accepted(b, seed)) {
                return; // refused by our loader only where ONNX Runtime confirms the refusal
            }
            dag = OnnxModel.parse(bytes, null, null, ModelLimits.defaults()).dag();
            GraphBounds g = GraphBounds.of(dag);
            try {
                check(g, bytes, r, seed);
            } catch (ai.onnxruntime.OrtException e) {
                throw new AssertionError("seed " + seed + ": ONNX Runtime failed: " + e.getMessage(), e);
            }
            checked.incrementAndGet();
        });
        assertTrue(checked.get() >= examples * 6 / 10, checked + " graphs checked of " + examples);
    }

    static int inputSize(OnnxGraphBuilder b) {
        int in = 1;
        for (long d : b.inputDims()) {
            in *= (int) Math.max(1, d);
        }
        return in;
    }

    static void check(GraphBounds g, byte[] bytes, Random r, long seed) throws ai.onnxruntime.OrtException {
        int n = g.inputSize();
        double[] lo = new double[n];
        double[] hi = new double[n];
        double radius = r.nextBoolean() ? 0.001 + r.nextDouble() * 0.05 : r.nextDouble() * 0.8;
        for (int i = 0; i < n; i++) {
            double c = r.nextDouble() * 2 - 1;
            double w = r.nextInt(8) == 0 ? 0 : radius * r.nextDouble();
            lo[i] = c - w;
            hi[i] = c + w;
        }
        Box box = new Box(lo, hi);
        // CROWN's intermediate bounds, or α-optimised ones (1 to 4 steps, one or two threads)
        GraphBounds.Ranges ranges = r.nextBoolean() ? g.ranges(box, Deadline.NONE)
                : g.ranges(box, 1 + r.nextInt(4), 1 + r.nextInt(2), Deadline.NONE);
        int m = g.outputSize();
        double[][] rows = new double[2 * m + 3][m];
        for (int j = 0; j < m; j++) {
            rows[2 * j][j] = 1;
            rows[2 * j + 1][j] = -1;
        }
        for (int k = 2 * m; k < rows.length; k++) {
            for (int j = 0; j < m; j++) {
                rows[k][j] = r.nextGaussian();
            }
        }
        double[][] copy = new double[rows.length][];
        for (int k = 0; k < rows.length; k++) {
            copy[k] = rows[k].clone();
        }
        double[] lower = g.lower(ranges, copy).bound();
        double[] optimised = optimised(g, ranges, rows, r);
        Range out = ranges.output(g);
        int samples = SAMPLES;
        float[][] x = new float[samples][n];
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < n; i++) {
                double t = s < 8 ? (r.nextBoolean() ? 0 : 1) : r.nextDouble();
                x[s][i] = inside(lo[i] + t * (hi[i] - lo[i]), lo[i], hi[i]);
            }
        }
        float[][] ours = new GraphExecutor(g.dag()).run(x);
        float[][] ort = TestData.ort(bytes, x);
        for (float[][] ys : new float[][][] {ours, ort}) {
            for (int s = 0; s < samples; s++) {
                for (int j = 0; j < m; j++) {
                    float y = ys[s][j];
                    if (!(y >= out.lo()[j] && y <= out.hi()[j])) {
                        fail("seed " + seed + ": output " + j + " = " + y + " outside [" + out.lo()[j] + ", "
                                + out.hi()[j] + "] (" + (ys == ours ? "engram" : "ORT") + ")");
                    }
                }
                for (int k = 0; k < rows.length; k++) {
                    double v = exactDot(rows[k], ys[s]);
                    if (!(v >= lower[k])) {
                        fail("seed " + seed + ": row " + k + " value " + v + " below its lower bound " + lower[k]);
                    }
                    if (!(v >= optimised[k])) {
                        fail("seed " + seed + ": row " + k + " value " + v + " below its optimised lower bound "
                                + optimised[k]);
                    }
                }
            }
        }
    }

    /**
     * The α-CROWN bounds of {@code rows} after 0 to 5 steps ({@link BetaCrown}), from CROWN's parameters or a random
     * warm start: ReLU slopes anywhere in [leak, 1], S-curve tangent points anywhere in [l − 1, u + 1] of their
     * argument's range (outside the valid interval on purpose: the relaxation must clamp them).
     */
    static double[] optimised(GraphBounds g, GraphBounds.Ranges ranges, double[][] rows, Random r) {
        BetaCrown.Params start = null;
        if (r.nextBoolean()) {
            double[][][] alpha = new double[g.dag().valueCount()][][];
            for (int k = 0; k < g.ops().size(); k++) {
                BoundOp op = g.ops().get(k);
                Range z = ranges.values()[g.dag().nodes().get(k).arg(0)];
                if (op instanceof ReluBound relu) {
                    alpha[1 + k] = new double[rows.length][op.size()];
                    for (double[] row : alpha[1 + k]) {
                        for (int i = 0; i < row.length; i++) {
                            row[i] = relu.leak() + r.nextDouble() * (1 - relu.leak());
                        }
                    }
                } else if (op instanceof SCurveBound) {
                    alpha[1 + k] = new double[rows.length][2 * op.size()];
                    for (double[] row : alpha[1 + k]) {
                        for (int i = 0; i < row.length; i++) {
                            int e = i % op.size();
                            row[i] = z.lo()[e] - 1 + r.nextDouble() * (z.hi()[e] - z.lo()[e] + 2);
                        }
                    }
                }
            }
            start = new BetaCrown.Params(alpha, new double[rows.length][0], new double[rows.length][0]);
        }
        double[] never = new double[rows.length];
        java.util.Arrays.fill(never, Double.POSITIVE_INFINITY);
        return BetaCrown.optimise(g, ranges, java.util.List.of(), BetaCrown.copy(rows), never, r.nextInt(6), start,
                Deadline.NONE).linear().bound();
    }

    /** {@code v} as a float32 inside {@code [lo, hi]}. */
    static float inside(double v, double lo, double hi) {
        float f = (float) v;
        if (f < lo) {
            f = Math.nextUp(f);
        }
        if (f > hi) {
            f = Math.nextDown(f);
        }
        return f;
    }

    /** {@code a · y} rounded down (compared with a lower bound, so a rounding may only make the check stricter). */
    static double exactDot(double[] a, float[] y) {
        java.math.BigDecimal s = java.math.BigDecimal.ZERO;
        for (int j = 0; j < a.length; j++) {
            s = s.add(new java.math.BigDecimal(a[j]).multiply(new java.math.BigDecimal(y[j])));
        }
        double d = s.doubleValue();
        return new java.math.BigDecimal(d).compareTo(s) > 0 ? Math.nextDown(d) : d;
    }
}
