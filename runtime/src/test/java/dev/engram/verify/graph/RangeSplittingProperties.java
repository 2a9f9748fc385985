package dev.engram.verify.graph;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Dags;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.MilpOracle;
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
 * Soundness of intermediate bounds by branch and bound ({@link RangeSplitting}), against two oracles independent of
 * the bound code: on random ReLU networks of two to four hidden layers run as graphs, over random boxes, every
 * tightened pre-activation's split bounds contain its value at 400 float32 inputs of the box as executed by the graph
 * executor, and (4 elements per case) are never tighter than the exact minimum and maximum in real arithmetic from SCIP's MILP
 * ({@link MilpOracle}, on the network cut at that layer), less a float32 allowance {@code 1e-5·(1 + |exact|)}.
 */
class RangeSplittingProperties {

    @Test
    void splitIntermediateBoundsContainExecutionsAndNeverBeatTheMilp() {
        int[] t = PropertyRuns.totals(30, RangeSplittingProperties::check);
        int elements = t[0];
        int tighter = t[1];
        System.out.printf("[range splitting] %d split elements checked (4 per case against the MILP), %d tighter than"
                + " alpha-CROWN's%n", elements, tighter);
        assertTrue(elements >= 30, "enough unstable elements should have been split");
    }

    /** One case: {elements checked, elements whose split bounds are tighter than the α ones}. */
    private static int[] check(long seed) {
        Random r = new Random(seed);
        int d = 2 + r.nextInt(6);
        DenseNetwork net = RandomNets.reluWithBias(r, d, 2, 2, 3, 4, 12, 0.1);
        Dag dag = Dags.of(net);
        GraphBounds g = GraphBounds.of(dag);
        Box box = RandomGraphs.box(r, d);
        GraphBounds.Ranges ranges = g.ranges(box, 1 + r.nextInt(3), 1 + r.nextInt(2), Deadline.NONE);
        float[][] x = RandomGraphs.samples(r, box, 400);
        List<Integer> args = new ArrayList<>();
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound) {
                args.add(dag.nodes().get(k).arg(0));
            }
        }
        int checked = 0;
        int tighter = 0;
        int milps = 4;
        for (int layer = 1; layer < args.size(); layer++) {
            int v = args.get(layer);
            Range alpha = ranges.values()[v];
            Range split = RangeSplitting.tighten(g, ranges, v, alpha, 1 + r.nextInt(2), Deadline.NONE);
            if (split == null) {
                continue;
            }
            float[][] z = RandomGraphs.valueAt(dag, v, x);
            DenseNetwork cut = cut(net, layer);
            for (int i = 0; i < alpha.size(); i++) {
                if (!(alpha.lo()[i] < 0 && alpha.hi()[i] > 0)) {
                    continue;
                }
                checked++;
                tighter += split.lo()[i] > alpha.lo()[i] || split.hi()[i] < alpha.hi()[i] ? 1 : 0;
                for (float[] zs : z) {
                    if (!(zs[i] >= split.lo()[i] && zs[i] <= split.hi()[i])) {
                        fail("seed " + seed + ": value " + v + "[" + i + "] = " + zs[i] + " outside its split bounds ["
                                + split.lo()[i] + ", " + split.hi()[i] + "]");
                    }
                }
                if (milps-- <= 0) {
                    continue; // SCIP costs a fraction of a second per bound: a few elements per case
                }
                double min = exact(cut, box, i, 1);
                double max = -exact(cut, box, i, -1);
                if (!Double.isNaN(min) && split.lo()[i] > min + 1e-5 * (1 + Math.abs(min))) {
                    fail("seed " + seed + ": lower bound " + split.lo()[i] + " above the exact minimum " + min);
                }
                if (!Double.isNaN(max) && split.hi()[i] < max - 1e-5 * (1 + Math.abs(max))) {
                    fail("seed " + seed + ": upper bound " + split.hi()[i] + " below the exact maximum " + max);
                }
            }
        }
        return new int[] {checked, tighter};
    }

    /** The exact minimum of {@code sign · y_i} of the cut network over the box (NaN: SCIP did not finish). */
    private static double exact(DenseNetwork cut, Box box, int i, int sign) {
        double[] c = new double[cut.layers().get(cut.layers().size() - 1).outputSize()];
        c[i] = sign;
        // max over the box of (0 − sign·y_i) is −min sign·y_i
        return -MilpOracle.maxSlack(cut, box, List.of(new LinearConstraint(c, 0)), 20);
    }

    /** The network's layers up to {@code layer}, that one without its activation (its pre-activation as output). */
    private static DenseNetwork cut(DenseNetwork net, int layer) {
        List<DenseLayer> layers = new ArrayList<>(net.layers().subList(0, layer + 1));
        DenseLayer last = layers.get(layer);
        layers.set(layer, new DenseLayer(last.name(), last.weight(), last.bias(), Activation.IDENTITY, 0, null, null));
        return new DenseNetwork(layers);
    }
}
