package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Bounds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Soundness of the verifier on random ReLU networks and random output thresholds placed inside the output
 * range, so both answers occur: an {@code unsat} verdict survives 100,000 random samples and a gradient attack,
 * a {@code sat} witness lies in the box and violates the property when re-executed.
 */
class VerifierProperties {

    @Test
    void verdictsAreSound() {
        int[] counts = new int[3];
        qt().withExamples(60).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 4, 1, 3);
            Random r = gen.random();
            int m = gen.outputs();
            DenseNetwork net = gen.net();
            Box box = gen.box();
            // unsafe: c · y <= t, with t between the sampled minimum and the bound's lower end
            double[] c = RandomNets.gaussians(r, m);
            double sampledMin = Double.POSITIVE_INFINITY;
            for (int s = 0; s < 2000; s++) {
                float[] y = net.evaluate(RandomNets.sample(r, box));
                double v = 0;
                for (int j = 0; j < m; j++) {
                    v += c[j] * y[j];
                }
                sampledMin = Math.min(sampledMin, v);
            }
            double lo = Bounds.linear(net, box).output().lo()[0];
            double t = sampledMin - Math.abs(sampledMin) * 0.02 * r.nextDouble() - 0.02 * r.nextDouble();
            Property p = new Property("random", InputRegion.of(box), List.of(List.of(new LinearConstraint(c, t))));
            Verdict v = BranchAndBoundVerifier.create().verify(net, p, new VerifyOptions(20, 2, seed));
            counts[checked(v, net, p, seed, "(t = " + t + ", bound " + lo + ")")]++;
        });
        System.out.printf("[verifier] random properties: %d sat, %d unsat, %d undecided%n", counts[0], counts[1],
                counts[2]);
        assertTrue(counts[0] > 0 && counts[1] > 0, "both answers should occur");
    }

    /** Conjunctions of two or three output constraints (refuted through combined bounds) keep sound verdicts. */
    @Test
    void conjunctionVerdictsAreSound() {
        int[] counts = new int[3];
        qt().withExamples(40).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 4, 2, 4);
            Random r = gen.random();
            int m = gen.outputs();
            DenseNetwork net = gen.net();
            Box box = gen.box();
            List<float[]> ys = new java.util.ArrayList<>();
            for (int s = 0; s < 2000; s++) {
                ys.add(net.evaluate(RandomNets.sample(r, box)));
            }
            List<LinearConstraint> conj = new java.util.ArrayList<>();
            for (int k = 2 + r.nextInt(2); k > 0; k--) {
                double[] c = RandomNets.gaussians(r, m);
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (float[] y : ys) {
                    double v = 0;
                    for (int j = 0; j < m; j++) {
                        v += c[j] * y[j];
                    }
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                // never exactly at a sampled value: an output constant on the box would otherwise put the threshold
                // on it, where the answer hangs on the last bit of the double sum that computed it
                conj.add(new LinearConstraint(c, min + r.nextDouble() * 0.4 * (max - min) + 1e-6 * (1 + Math.abs(min))));
            }
            Property p = new Property("conj", InputRegion.of(box), List.of(conj));
            Verdict v = BranchAndBoundVerifier.create().verify(net, p, new VerifyOptions(20, 2, seed));
            counts[checked(v, net, p, seed, "")]++;
        });
        System.out.printf("[verifier] random conjunctions: %d sat, %d unsat, %d undecided%n", counts[0], counts[1],
                counts[2]);
        assertTrue(counts[0] > 0 && counts[1] > 0, "both answers should occur");
    }

    /**
     * Checks a verdict of {@code p} (over one box) and returns its index: 0 sat, its witness in the box and unsafe as
     * re-executed; 1 unsat, with no counterexample found by a 100,000-sample gradient attack; 2 anything else.
     */
    private static int checked(Verdict v, DenseNetwork net, Property p, long seed, String detail) {
        Box box = p.region().boxes().get(0);
        if (v instanceof Verdict.Sat s) {
            float[] x = new float[box.dimension()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) s.input()[i];
                assertTrue(x[i] >= box.lo()[i] && x[i] <= box.hi()[i], "witness outside the box");
            }
            float[] y = net.evaluate(x);
            double[] yd = new double[y.length];
            for (int j = 0; j < y.length; j++) {
                yd[j] = y[j];
            }
            assertTrue(p.isUnsafe(yd, 0), "witness does not violate the property");
            return 0;
        }
        if (v instanceof Verdict.Unsat) {
            Falsifier attack = new Falsifier(net, BoundNetwork.of(net), p, seed + 1, 100_000, 8, 100);
            assertFalse(attack.search(box, Long.MAX_VALUE) != null,
                    ("seed " + seed + ": unsat but a counterexample exists " + detail).strip());
            return 1;
        }
        return 2;
    }
}
