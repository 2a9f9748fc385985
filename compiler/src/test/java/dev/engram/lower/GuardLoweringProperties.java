package dev.engram.lower;

import dev.engram.ir.Obligation;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The guard lowering on random ReLU networks and random box rules: the rule is always proved on the widened
 * network, and outside the δ-dilated box the outputs are bit-for-bit the original ones.
 */
class GuardLoweringProperties {

    static DenseNetwork net(Random r, int in, int out) {
        int hidden = 2 + r.nextInt(3);
        int[] widths = new int[hidden + 2];
        widths[0] = in;
        for (int l = 1; l <= hidden; l++) {
            widths[l] = 3 + r.nextInt(8);
        }
        widths[hidden + 1] = out;
        return DenseNetworks.random(r, "l", 0.2, widths);
    }

    @Test
    void guardIsProvedAndChangesNothingOutsideTheDilatedBox() {
        int[] proved = new int[1];
        qt().withExamples(40).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 1 + r.nextInt(4);
            int out = 2 + r.nextInt(3);
            DenseNetwork net = net(r, in, out);
            double[] lo = new double[in];
            double[] hi = new double[in];
            double[] delta = new double[in];
            for (int i = 0; i < in; i++) {
                lo[i] = r.nextGaussian();
                hi[i] = lo[i] + 0.05 + r.nextDouble();
                delta[i] = 0.01 + 0.1 * r.nextDouble();
            }
            Box box = new Box(lo, hi);
            // unsafe: output 0 is the arg-min, i.e. y0 <= y_j for all j (a decision rule "0 is never chosen")
            List<LinearConstraint> conj = new ArrayList<>();
            for (int j = 1; j < out; j++) {
                double[] c = new double[out];
                c[0] = 1;
                c[j] = -1;
                conj.add(new LinearConstraint(c, 0));
            }
            Property p = new Property("random", InputRegion.of(box), List.of(conj));
            Obligation.Enforce ob = new Obligation.Enforce("r", Span.NONE, p, Obligation.Strategy.GUARD, delta);
            GuardLowering.Result g = GuardLowering.lower(net, ob);
            Verdict v = BranchAndBoundVerifier.create().verify(g.network(), p, new VerifyOptions(30, 2, seed));
            assertTrue(v instanceof Verdict.Unsat, "seed " + seed + ": " + v.word());
            proved[0]++;
            for (int s = 0; s < 500; s++) {
                float[] x = new float[in];
                boolean outside = false;
                for (int i = 0; i < in; i++) {
                    x[i] = (float) (lo[i] - 1 + r.nextDouble() * (hi[i] - lo[i] + 2));
                    outside |= x[i] < lo[i] - delta[i] || x[i] > hi[i] + delta[i];
                }
                if (outside) {
                    float[] a = net.evaluate(x);
                    float[] b = g.network().evaluate(x);
                    for (int j = 0; j < a.length; j++) {
                        a[j] += 0f; // -0.0 and 0.0 compare equal below
                        b[j] += 0f;
                    }
                    assertArrayEquals(a, b, "seed " + seed + ": output changed outside the dilated box");
                }
            }
        });
        System.out.println("[guard] random rules proved: " + proved[0]);
    }

    @Test
    void guardWithALinearPremiseIsProvedAndChangesNothingPastTheDilatedHalfSpace() {
        qt().withExamples(30).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 2 + r.nextInt(3);
            int out = 2 + r.nextInt(3);
            DenseNetwork net = net(r, in, out);
            double[] lo = new double[in];
            double[] hi = new double[in];
            double[] delta = new double[in];
            double[] a = new double[in];
            double centre = 0;
            for (int i = 0; i < in; i++) {
                lo[i] = r.nextGaussian();
                hi[i] = lo[i] + 0.2 + r.nextDouble();
                delta[i] = 0.01 + 0.05 * r.nextDouble();
                a[i] = r.nextGaussian();
                centre += a[i] * (lo[i] + hi[i]) / 2;
            }
            LinearConstraint half = new LinearConstraint(a, centre); // cuts the box through its centre
            List<LinearConstraint> conj = new ArrayList<>();
            for (int j = 1; j < out; j++) {
                double[] c = new double[out];
                c[0] = 1;
                c[j] = -1;
                conj.add(new LinearConstraint(c, 0));
            }
            Property p = new Property("half", new InputRegion(List.of(new Box(lo, hi)), List.of(half)), List.of(conj));
            GuardLowering.Result g = GuardLowering.lower(net,
                    new Obligation.Enforce("h", Span.NONE, p, Obligation.Strategy.GUARD, delta));
            Verdict v = BranchAndBoundVerifier.create().verify(g.network(), p, new VerifyOptions(30, 2, seed));
            assertTrue(v instanceof Verdict.Unsat, "seed " + seed + ": " + v.word());
            double slack = 0;
            for (int i = 0; i < in; i++) {
                slack += Math.abs(a[i]) * delta[i];
            }
            for (int s = 0; s < 500; s++) {
                float[] x = new float[in];
                double ax = 0;
                for (int i = 0; i < in; i++) {
                    x[i] = (float) (lo[i] + r.nextDouble() * (hi[i] - lo[i]));
                    ax += a[i] * x[i];
                }
                if (ax > centre + slack + 1e-6) {
                    float[] ya = net.evaluate(x);
                    float[] yb = g.network().evaluate(x);
                    for (int j = 0; j < ya.length; j++) {
                        ya[j] += 0f;
                        yb[j] += 0f;
                    }
                    assertArrayEquals(ya, yb, "seed " + seed + ": output changed past the dilated half-space");
                }
            }
        });
    }
}
