package dev.engram.verify.graph;

import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelLimits;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Dags;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.Box;
import dev.engram.verify.RandomNets;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random cases of the graph verifier's property tests: small ReLU networks run as graphs, random boxes and float32
 * inputs in them, their values as executed, and subdomains split at unstable elements with the signs of an anchor
 * input as executed (so that none is empty). Every generator draws from the caller's stream, in a fixed order.
 */
final class RandomGraphs {
    private RandomGraphs() {
    }

    /** A random ReLU network run as a graph, its bounds and a random box of its inputs. */
    record ReluCase(Dag dag, GraphBounds g, Box box, int outputs) {
        /** 2 to 11 inputs, then 1 to 3 outputs, drawn from {@code r}; then {@link #of(Random, int, int)}. */
        static ReluCase of(Random r) {
            int d = 2 + r.nextInt(10);
            int m = 1 + r.nextInt(3);
            return of(r, d, m);
        }

        /** The network {@link #net} of d inputs and m outputs, then the box {@link #box} of d dimensions. */
        static ReluCase of(Random r, int d, int m) {
            Dag dag = Dags.of(net(r, d, m));
            return new ReluCase(dag, GraphBounds.of(dag), RandomGraphs.box(r, d), m);
        }

        /** The root subdomain's ranges over the box: CROWN's or α-optimised for 2 steps, at random. */
        GraphBounds.Ranges rootRanges(Random r) {
            return g.ranges(box, r.nextBoolean() ? 0 : 2, Deadline.NONE);
        }
    }

    /**
     * One float32 input of a case's box ({@link #samples}, a corner), its values as executed memoised in
     * {@code executed}: the input whose signs the splits take, so that it meets every subdomain they make.
     */
    record Anchor(Dag dag, float[][] x, Map<Integer, float[][]> executed) {
        static Anchor of(Random r, ReluCase c) {
            return new Anchor(c.dag(), samples(r, c.box(), 1), new HashMap<>());
        }

        /**
         * A split of a random element unstable on {@code ranges}, with the sign the element has at the anchor as
         * executed, so that the anchor meets it; null when none is unstable.
         */
        GraphBounds.Split split(Random r, GraphBounds g, GraphBounds.Ranges ranges) {
            List<int[]> unstable = unstable(g, ranges);
            if (unstable.isEmpty()) {
                return null;
            }
            int[] e = unstable.get(r.nextInt(unstable.size()));
            float z = executed.computeIfAbsent(e[0], u -> valueAt(dag, u, x))[0][e[1]];
            return new GraphBounds.Split(e[0], e[1], z >= 0);
        }
    }

    /** One to three ReLU layers of 3 to 10 units, then m linear outputs; weights N(0, 1/fan-in), biases N(0, 0.1). */
    static DenseNetwork net(Random r, int inputs, int m) {
        return RandomNets.reluWithBias(r, inputs, m, 1, 3, 3, 10, 0.1);
    }

    /** The graph built by {@code b} as our loader reads it; a refusal fails the case (its seed named). */
    static Dag parse(OnnxGraphBuilder b, long seed) {
        try {
            return OnnxModel.parse(b.bytes(), null, null, ModelLimits.defaults()).dag();
        } catch (Exception e) {
            throw new AssertionError("seed " + seed + ": the generated graph is refused: " + e.getMessage(), e);
        }
    }

    /** A random box of dimension d: centres N(0, 1), half-widths |N(0, 0.8)| + 0.001. */
    static Box box(Random r, int d) {
        return RandomNets.box(r, d, 0.8);
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

    /** Whether input s, as executed ({@code executed}: value → [input][element]), meets every split. */
    static boolean meets(List<GraphBounds.Split> splits, Map<Integer, float[][]> executed, int s) {
        for (GraphBounds.Split sp : splits) {
            float v = executed.get(sp.value())[s][sp.element()];
            if (sp.active() ? !(v >= 0) : !(v <= 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fails unless the executed output {@code y} lies above every row's subdomain bound, {@code rows[q]·y >= bound[q]}
     * computed exactly; the message names the seed and the subdomain's {@code splits}.
     */
    static void assertAbove(double[][] rows, float[] y, double[] bound, long seed, Object splits) {
        for (int q = 0; q < rows.length; q++) {
            double v = GraphBoundsProperties.exactDot(rows[q], y);
            if (!(v >= bound[q])) {
                fail("seed " + seed + ": row " + q + " value " + v + " below its subdomain bound " + bound[q]
                        + " with " + splits);
            }
        }
    }

    /** Value u of the graph as executed at each input: the graph with u as its output. */
    static float[][] valueAt(Dag dag, int u, float[][] x) {
        Dag cut = new Dag(dag.name(), dag.inputs(), dag.nodes(), List.of(new Dag.Output("z", u)));
        return new GraphExecutor(cut).run(x);
    }

    /**
     * The ranges of subdomain {@code ranges} split by {@code s}, which joins {@code splits}: clamped, then recomputed
     * when {@code refine}. The anchor input meets every split, so no subdomain is empty: an empty one fails the case.
     */
    static GraphBounds.Ranges split(GraphBounds g, GraphBounds.Ranges ranges, List<GraphBounds.Split> splits,
                                    GraphBounds.Split s, boolean refine, long seed) {
        splits.add(s);
        GraphBounds.Ranges next = g.withSplit(ranges, s);
        if (next != null && refine) {
            next = g.refine(next, splits, s.value(), Deadline.NONE);
        }
        if (next == null) {
            fail("seed " + seed + ": the anchor meets the splits, yet a range became empty");
        }
        return next;
    }

    /** Random ReLU slopes in [0, 1], {@code [value][row][element]}, for every ReLU element and each of rows rows. */
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
}
