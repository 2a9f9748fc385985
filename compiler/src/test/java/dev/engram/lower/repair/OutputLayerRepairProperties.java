package dev.engram.lower.repair;

import dev.engram.Decisions;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The output-layer repair on random ReLU networks and random box rules: shapes never change, only the last layer
 * does; whenever the repair reports proved, an independent verifier call on the returned network says unsat and
 * sampled points of the region satisfy the rule; and the repair proves most rules.
 */
class OutputLayerRepairProperties {

    static RepairOptions.Builder quick() {
        return RepairOptions.builder().optSamples(300).optSubdomains(16, 128).optRefinement(3, 16)
                .optVerifyTimeout(10).optMaxIterations(3);
    }

    /** A random ReLU network with 2–4 hidden layers of 3–10 units. */
    static DenseNetwork net(Random r, int in, int out) {
        int[] widths = new int[4 + r.nextInt(3)];
        Arrays.setAll(widths, l -> l == 0 ? in : l == widths.length - 1 ? out : 3 + r.nextInt(8));
        return DenseNetworks.random(r, "l", 0.2, widths);
    }

    @Test
    void repairedNetworksKeepTheirShapeAndProveTheRule() {
        int[] counts = new int[2];
        qt().withExamples(60).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 1 + r.nextInt(4);
            int out = 2 + r.nextInt(3);
            DenseNetwork net = net(r, in, out);
            double[] lo = new double[in];
            double[] hi = new double[in];
            for (int i = 0; i < in; i++) {
                lo[i] = r.nextGaussian();
                hi[i] = lo[i] + 0.05 + r.nextDouble();
            }
            Box box = new Box(lo, hi);
            // unsafe: one random output is the arg-min ("that advisory is never chosen" on the box)
            List<LinearConstraint> conj = Decisions.isArgmin(r.nextInt(out), out);
            Property p = new Property("random", InputRegion.of(box), List.of(conj));
            Box domain = new Box(shift(lo, -1), shift(hi, 1));
            OutputLayerRepair.Result res = OutputLayerRepair.repair(net, p, quick().optDomain(domain).optSeed(seed).build());

            // shapes and every layer but the last unchanged
            assertEquals(net.layers().size(), res.network().layers().size());
            for (int l = 0; l < net.layers().size(); l++) {
                DenseLayer a = net.layers().get(l);
                DenseLayer b = res.network().layers().get(l);
                assertEquals(a.inputSize(), b.inputSize());
                assertEquals(a.outputSize(), b.outputSize());
                if (l < net.layers().size() - 1) {
                    assertArrayEquals(a.bias(), b.bias());
                    for (int o = 0; o < a.outputSize(); o++) {
                        assertArrayEquals(a.weight()[o], b.weight()[o]);
                    }
                }
            }
            assertTrue(res.l1() >= res.linf() && res.linf() >= 0, "norms");
            counts[1]++;
            if (!res.proved()) {
                return;
            }
            counts[0]++;
            // independent re-validation: the validated property is the rule, or the rule on a cover of its box
            Property vp = res.validated().get(0);
            assertTrue(sameRule(p, vp), "seed " + seed + ": the validated property is another rule: " + vp);
            assertTrue(covers(vp.region().boxes(), box), "seed " + seed + ": validated region does not cover the box");
            Verdict again = BranchAndBoundVerifier.create().verify(res.network(), vp, new VerifyOptions(60, 1, seed ^ 77));
            assertTrue(again instanceof Verdict.Unsat, "seed " + seed + ": independent verifier says " + again.word());
            for (int s = 0; s < 300; s++) {
                float[] x = new float[in];
                for (int i = 0; i < in; i++) {
                    x[i] = (float) (lo[i] + r.nextDouble() * (hi[i] - lo[i]));
                    x[i] = (float) Math.min(hi[i], Math.max(lo[i], x[i]));
                }
                if (x.length > 0 && inBox(x, lo, hi)) {
                    float[] y = res.network().evaluate(x);
                    double[] yd = new double[y.length];
                    for (int j = 0; j < y.length; j++) {
                        yd[j] = y[j];
                    }
                    assertFalse(p.isUnsafe(yd, 0), "seed " + seed + ": sampled point violates the repaired rule");
                }
            }
        });
        System.out.println("[repair] random rules proved: " + counts[0] + "/" + counts[1]);
        assertTrue(counts[0] * 10 >= counts[1] * 8, "repair proved only " + counts[0] + " of " + counts[1]);
    }

    /**
     * True when {@code validated} is {@code rule} up to its region's boxes: the same unsafe set and the same input
     * constraints, constraint by constraint (coefficients, bound, strictness), not just as many of them.
     */
    static boolean sameRule(Property rule, Property validated) {
        return sameConstraints(List.of(rule.region().constraints()), List.of(validated.region().constraints()))
                && sameConstraints(rule.unsafe(), validated.unsafe());
    }

    private static boolean sameConstraints(List<List<LinearConstraint>> a, List<List<LinearConstraint>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int k = 0; k < a.size(); k++) {
            if (a.get(k).size() != b.get(k).size()) {
                return false;
            }
            for (int c = 0; c < a.get(k).size(); c++) {
                LinearConstraint x = a.get(k).get(c);
                LinearConstraint y = b.get(k).get(c);
                if (!java.util.Arrays.equals(x.coefficients(), y.coefficients()) || x.bound() != y.bound()
                        || x.strict() != y.strict()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Every part inside {@code box}, volumes adding up to the box's, and no two parts overlapping in volume. */
    static boolean covers(List<Box> parts, Box box) {
        double sum = 0;
        for (int a = 0; a < parts.size(); a++) {
            Box pa = parts.get(a);
            for (int i = 0; i < box.dimension(); i++) {
                if (pa.lo()[i] < box.lo()[i] || pa.hi()[i] > box.hi()[i]) {
                    return false;
                }
            }
            sum += volume(pa);
            for (int b = a + 1; b < parts.size(); b++) {
                Box pb = parts.get(b);
                double ov = 1;
                for (int i = 0; i < box.dimension(); i++) {
                    ov *= Math.max(0, Math.min(pa.hi()[i], pb.hi()[i]) - Math.max(pa.lo()[i], pb.lo()[i]));
                }
                if (ov > 1e-12 * volume(box)) {
                    return false;
                }
            }
        }
        return Math.abs(sum - volume(box)) <= 1e-9 * volume(box);
    }

    static double volume(Box b) {
        double v = 1;
        for (int i = 0; i < b.dimension(); i++) {
            v *= b.hi()[i] - b.lo()[i];
        }
        return v;
    }

    private static double[] shift(double[] v, double d) {
        double[] r = v.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] += d;
        }
        return r;
    }

    private static boolean inBox(float[] x, double[] lo, double[] hi) {
        for (int i = 0; i < x.length; i++) {
            if (x[i] < lo[i] || x[i] > hi[i]) {
                return false;
            }
        }
        return true;
    }
}
