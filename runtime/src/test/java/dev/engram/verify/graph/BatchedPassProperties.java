package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.model.dag.GraphOrtProperties;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.verify.Box;
import dev.engram.verify.PropertyRuns;
import dev.engram.verify.RandomNets;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One backward pass over several subdomains ({@link Backward#bySubdomain}: each row on its own ranges) gives each row
 * what a pass on its subdomain alone gives, bit for bit, for every operator that reads its arguments' ranges: random
 * conv → pool → dense graphs (ReLU, leaky ReLU, sigmoid, tanh; max and average pooling), residual blocks, and dense
 * sigmoid/tanh/ReLU stacks ({@link GraphOrtProperties}' generators); 2 to 4 random sub-boxes of a random box as the
 * subdomains (their ranges CROWN's on each), random rows. The oracle is the single pass the batch replaces.
 */
class BatchedPassProperties {

    @Test
    void aPassOverSeveralSubdomainsGivesEachRowItsOwnPassBitForBit() {
        int[] t = PropertyRuns.totals(60, BatchedPassProperties::check);
        System.out.printf("[batched pass] %d graphs, %d with S-curves, %d rows compared%n", t[0], t[1], t[2]);
        assertTrue(t[0] >= 30, "most graphs should be accepted");
        assertTrue(t[1] >= 5, "some graphs should have S-curves");
    }

    /** One case: {1 if a graph was checked, 1 if it has S-curves, rows compared}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        int kind = r.nextInt(3);
        OnnxGraphBuilder b = kind == 0 ? GraphOrtProperties.convPoolDense(r)
                : kind == 1 ? GraphOrtProperties.residual(r) : GraphOrtProperties.dense(r);
        if (!GraphOrtProperties.accepted(b, seed)) {
            return new int[3];
        }
        Dag dag = RandomGraphs.parse(b, seed);
        GraphBounds g;
        try {
            g = GraphBounds.of(dag);
        } catch (IllegalArgumentException e) {
            return new int[3]; // more than one input or output: not a graph these bounds take
        }
        boolean curve = g.ops().stream().anyMatch(o -> o instanceof SCurveBound);
        Box box = RandomGraphs.box(r, g.inputSize());
        int n = 2 + r.nextInt(3);
        int m = 1 + r.nextInt(2);
        GraphBounds.Ranges[] subs = new GraphBounds.Ranges[n];
        for (int k = 0; k < n; k++) {
            subs[k] = g.ranges(subBox(r, box), Deadline.NONE);
        }
        double[][] rows = new double[m][];
        for (int q = 0; q < m; q++) {
            rows[q] = RandomNets.gaussians(r, g.outputSize());
        }
        GraphBounds.Ranges[] byRow = new GraphBounds.Ranges[n * m];
        double[][] all = new double[n * m][];
        for (int k = 0; k < n; k++) {
            for (int q = 0; q < m; q++) {
                byRow[k * m + q] = subs[k];
                all[k * m + q] = rows[q].clone();
            }
        }
        Backward pb = new Backward(n * m);
        pb.bySubdomain(byRow, m);
        GraphBounds.Linear batch = g.pass(subs[0], g.output(), all, pb);
        for (int k = 0; k < n; k++) {
            GraphBounds.Linear alone = g.pass(subs[k], g.output(), BetaCrown.copy(rows));
            for (int q = 0; q < m; q++) {
                int i = k * m + q;
                String at = "seed " + seed + " subdomain " + k + " row " + q + ": ";
                assertTrue(Double.compare(alone.bound()[q], batch.bound()[i]) == 0,
                        at + "bound " + alone.bound()[q] + " alone, " + batch.bound()[i] + " in the batch");
                assertTrue(Arrays.equals(alone.coef()[q], batch.coef()[i]), at + "coefficients");
                assertTrue(Double.compare(alone.constant()[q], batch.constant()[i]) == 0, at + "constant");
            }
        }
        return new int[] {1, curve ? 1 : 0, n * m};
    }

    /** A random box inside {@code box}: each side between a random pair of points of the side. */
    private static Box subBox(Random r, Box box) {
        int d = box.dimension();
        double[] lo = new double[d];
        double[] hi = new double[d];
        for (int i = 0; i < d; i++) {
            double a = box.lo()[i] + r.nextDouble() * (box.hi()[i] - box.lo()[i]);
            double c = box.lo()[i] + r.nextDouble() * (box.hi()[i] - box.lo()[i]);
            lo[i] = Math.min(a, c);
            hi[i] = Math.max(a, c);
        }
        return new Box(lo, hi);
    }
}
