package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.LinearBounds;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Soundness of what branch and bound adds on top of plain bounds, on random ReLU networks: bounds of a sub-box
 * computed with its parent box's bounds (reused intermediate bounds, with and without backward passes) still
 * contain every sampled output, executed in float32 in every summation order of {@link Float32Oracle} and compared
 * exactly (no tolerance), and a conjunction refuted by {@link ConjunctionBound} (dual combination of its
 * constraints, and α-CROWN on that combination alone) has no sampled point satisfying all its constraints.
 */
class SubdomainBoundsProperties {

    @Test
    void boundsReusingTheParentsContainSampledOutputs() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 5, 1, 4);
            Random r = gen.random();
            int d = gen.inputs();
            DenseNetwork net = gen.net();
            BoundNetwork bn = BoundNetwork.of(net);
            Box box = gen.box();
            LinearBounds parent = LinearBounds.forward(bn, box.lo(), box.hi(), true);
            // a random sub-box, two levels down
            double[] lo = box.lo().clone();
            double[] hi = box.hi().clone();
            LinearBounds mid = parent;
            for (int level = 0; level < 2; level++) {
                int i = r.nextInt(d);
                double cut = lo[i] + (0.2 + 0.6 * r.nextDouble()) * (hi[i] - lo[i]);
                if (r.nextBoolean()) {
                    lo[i] = cut;
                } else {
                    hi[i] = cut;
                }
                mid = LinearBounds.forward(bn, lo, hi, r.nextBoolean(), mid);
            }
            Box sub = new Box(lo, hi);
            double[] c = RandomNets.gaussians(r, gen.outputs());
            double lb = mid.lowerBound(c, null, null);
            double[] olo = mid.lower(bn.layers() - 1);
            double[] ohi = mid.upper(bn.layers() - 1);
            for (float[] y : Float32Oracle.sampledOutputs(net, r, sub, 100, x -> true)) {
                for (int j = 0; j < gen.outputs(); j++) {
                    assertTrue(y[j] >= olo[j] && y[j] <= ohi[j], "seed " + seed + ": output " + j);
                }
                assertTrue(Float32Oracle.dot(c, y).compareTo(new BigDecimal(lb)) >= 0,
                        "seed " + seed + ": c·y below " + lb);
            }
        });
    }

    /**
     * A lookahead half bounded with its parent's bounds and a cover (the parent lookahead's half of the grandparent
     * box along another input, which contains it) still contains every sampled output, executed in float32 in every
     * summation order; a cover that does not contain the box changes nothing.
     */
    @Test
    void boundsWithACoverContainSampledOutputs() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(5);
            int m = 1 + r.nextInt(4);
            DenseNetwork net = RandomNets.relu(seed, d, m);
            BoundNetwork bn = BoundNetwork.of(net);
            Box box = RandomNets.box(seed, d);
            LinearBounds top = LinearBounds.forward(bn, box.lo(), box.hi(), true);
            int i = r.nextInt(d);
            int j = r.nextInt(d);
            boolean lowI = r.nextBoolean();
            boolean lowJ = r.nextBoolean();
            double[][] child = half(box.lo(), box.hi(), i, lowI); // the node
            double[][] cover = half(box.lo(), box.hi(), j, lowJ); // the grandparent lookahead's half along j
            LinearBounds node = LinearBounds.forward(bn, child[0], child[1], true, top);
            LinearBounds side = LinearBounds.forward(bn, cover[0], cover[1], true, top);
            double[][] h = half(child[0], child[1], j, lowJ); // the node's half along j: inside the cover
            LinearBounds b = LinearBounds.forward(bn, h[0], h[1], true, node, side, List.of(),
                    dev.engram.verify.bounds.Deadline.NONE);
            LinearBounds viaView = LinearBounds.forward(bn, h[0], h[1], true, node, side.coverOnly(), List.of(),
                    dev.engram.verify.bounds.Deadline.NONE);
            for (int l = 0; l < bn.layers(); l++) { // the cover-only view is read the same way
                assertTrue(java.util.Arrays.equals(b.lower(l), viaView.lower(l))
                        && java.util.Arrays.equals(b.upper(l), viaView.upper(l)), "seed " + seed + ": view, " + l);
            }
            double[] olo = b.lower(bn.layers() - 1);
            double[] ohi = b.upper(bn.layers() - 1);
            Box sub = new Box(h[0], h[1]);
            for (int s = 0; s < 100; s++) {
                for (float[] y : Float32Oracle.everyOrder(net, RandomNets.sample(r, sub))) {
                    for (int o = 0; o < m; o++) {
                        assertTrue(y[o] >= olo[o] && y[o] <= ohi[o], "seed " + seed + ": output " + o);
                    }
                }
            }
            // the other half along j is not inside this cover: ignored
            double[][] h2 = half(child[0], child[1], j, !lowJ);
            LinearBounds with = LinearBounds.forward(bn, h2[0], h2[1], true, node, side, List.of(),
                    dev.engram.verify.bounds.Deadline.NONE);
            LinearBounds without = LinearBounds.forward(bn, h2[0], h2[1], true, node);
            for (int l = 0; l < bn.layers(); l++) {
                assertTrue(java.util.Arrays.equals(with.lower(l), without.lower(l))
                        && java.util.Arrays.equals(with.upper(l), without.upper(l)), "seed " + seed + ": layer " + l);
            }
        });
    }

    /** The lower or upper half of {@code [lo, hi]} along input {@code i}: {lo, hi}. */
    private static double[][] half(double[] lo, double[] hi, int i, boolean lower) {
        double[] l2 = lo.clone();
        double[] h2 = hi.clone();
        double mid = 0.5 * (lo[i] + hi[i]);
        if (lower) {
            h2[i] = mid;
        } else {
            l2[i] = mid;
        }
        return new double[][] {l2, h2};
    }

    /**
     * α-CROWN: bounds with optimised lower slopes (warm-started from a parent box's optimised slopes) still contain
     * every sampled output, and are never looser than plain CROWN's.
     */
    @Test
    void optimisedSlopeBoundsContainSampledOutputs() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 5, 1, 4);
            Random r = gen.random();
            int d = gen.inputs();
            DenseNetwork net = gen.net();
            BoundNetwork bn = BoundNetwork.of(net);
            Box box = gen.box();
            double[] c = RandomNets.gaussians(r, gen.outputs());
            LinearBounds parent = LinearBounds.forward(bn, box.lo(), box.hi(), true);
            parent.optimised(1 + r.nextInt(8)).lowerBound(c, null, null); // leaves warm-start slopes
            double[] lo = box.lo().clone();
            double[] hi = box.hi().clone();
            int i = r.nextInt(d);
            double cut = lo[i] + (0.2 + 0.6 * r.nextDouble()) * (hi[i] - lo[i]);
            if (r.nextBoolean()) {
                lo[i] = cut;
            } else {
                hi[i] = cut;
            }
            LinearBounds child = LinearBounds.forward(bn, lo, hi, r.nextBoolean(), parent);
            double plain = child.lowerBound(c, null, null);
            double[] coef = new double[d];
            double[] arg = new double[d];
            double lb = child.optimised(1 + r.nextInt(15)).lowerBound(c, coef, arg);
            assertTrue(lb >= plain - 1e-9 * (1 + Math.abs(plain)), "seed " + seed + ": " + lb + " < plain " + plain);
            Box sub = new Box(lo, hi);
            for (float[] y : Float32Oracle.sampledOutputs(net, r, sub, 100, x -> true)) {
                assertTrue(Float32Oracle.dot(c, y).compareTo(new BigDecimal(lb)) >= 0,
                        "seed " + seed + ": c·y below " + lb);
            }
            for (int k = 0; k < d; k++) {
                assertTrue(arg[k] >= lo[k] && arg[k] <= hi[k], "seed " + seed + ": minimiser outside the box");
            }
        });
    }

    @Test
    void refutedConjunctionsHaveNoSampledPoint() {
        int[] refuted = new int[3];
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 4, 2, 4);
            Random r = gen.random();
            DenseNetwork net = gen.net();
            BoundNetwork bn = BoundNetwork.of(net);
            Box box = gen.box();
            List<float[]> ys = new ArrayList<>();
            for (int s = 0; s < 3000; s++) {
                ys.add(net.evaluate(RandomNets.sample(r, box)));
            }
            // constraints c_j·y <= t_j, each satisfiable on part of the samples
            int k = 2 + r.nextInt(3);
            List<LinearConstraint> cs = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                double[] c = RandomNets.gaussians(r, gen.outputs());
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (float[] y : ys) {
                    double v = dot(c, y);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                cs.add(new LinearConstraint(c, min + r.nextDouble() * 0.6 * (max - min)));
            }
            LinearBounds b = LinearBounds.forward(bn, box.lo(), box.hi(), true);
            ConjunctionBound.Outcome out = ConjunctionBound.bound(b, cs, box.lo(), box.hi(),
                    b.lower(bn.layers() - 1), b.upper(bn.layers() - 1), x -> false);
            if (!out.refuted() && out.objective() != null) {
                // α-CROWN on the best combination only, as the search runs it
                ConjunctionBound.Outcome alpha = ConjunctionBound.boundObjective(b.optimised(10), out.objective(),
                        box.lo(), box.hi(), x -> false);
                if (alpha.refuted()) {
                    refuted[2]++;
                    out = alpha;
                }
            }
            refuted[out.refuted() ? 0 : 1]++;
            if (out.refuted()) {
                for (float[] y : ys) {
                    boolean all = true;
                    for (LinearConstraint c : cs) {
                        all &= dot(c.coefficients(), y) <= c.bound();
                    }
                    assertFalse(all, "seed " + seed + ": refuted conjunction holds at a sampled point");
                }
            }
        });
        System.out.printf("[conjunctions] %d refuted (%d by α on the combination), %d open%n", refuted[0],
                refuted[2], refuted[1]);
        assertTrue(refuted[0] > 0 && refuted[1] > 0, "both outcomes should occur");
    }

    private static double dot(double[] c, float[] y) {
        double v = 0;
        for (int j = 0; j < c.length; j++) {
            v += c[j] * y[j];
        }
        return v;
    }
}
