package dev.engram.lower.repair;

import dev.engram.Decisions;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Box;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The subdomain search's splits (candidates ranked by forward bounds, the chosen one bounded with CROWN) stay sound
 * on random ReLU networks: the two children tile their parent, and at inputs sampled in a child, executed in float32,
 * the last hidden activations lie in the child's interval and every refuted constraint's value is at least its lower
 * gap. The oracle is the network's own execution, not the bounds.
 */
class SubdomainSearchProperties {

    @Test
    void splitsTileTheirParentAndTheirBoundsHoldAtSampledInputs() {
        qt().withExamples(40).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 1 + r.nextInt(4);
            int out = 2 + r.nextInt(3);
            DenseNetwork net = OutputLayerRepairProperties.net(r, in, out);
            double[] lo = new double[in];
            double[] hi = new double[in];
            for (int i = 0; i < in; i++) {
                lo[i] = r.nextGaussian();
                hi[i] = lo[i] + 0.05 + r.nextDouble();
            }
            List<LinearConstraint> conj = Decisions.isArgmin(r.nextInt(out), out);
            Property rule = new Property("r", InputRegion.of(new Box(lo, hi)), List.of(conj));
            RepairTarget target = RepairTarget.of(net, List.of(rule));
            Goals goals = Goals.of(List.of(rule), List.of());
            SubdomainSearch search = new SubdomainSearch(target, goals, RepairOptions.defaults(), 1);
            Subdomain s = search.analyse(0, lo, hi, 0, null);
            check(target, s, r, seed);
            for (int depth = 0; depth < 4; depth++) {
                List<Subdomain> kids = search.split(s);
                if (kids.size() < 2) {
                    break;
                }
                assertEquals(2, kids.size());
                assertTrue(dev.engram.verify.Boxes.covers(s.box(), List.of(kids.get(0).box(), kids.get(1).box())),
                        "seed " + seed + ": children do not tile their parent");
                for (Subdomain k : kids) {
                    assertTrue(k.parent() == s, "seed " + seed);
                    check(target, k, r, seed);
                }
                s = kids.get(r.nextInt(2));
            }
        });
    }

    /** At 100 inputs sampled in {@code s} (corners first), the hidden interval and every lower gap hold. */
    private static void check(RepairTarget target, Subdomain s, Random r, long seed) {
        int d = s.lo().length;
        for (int t = 0; t < 100; t++) {
            float[] x = new float[d];
            for (int i = 0; i < d; i++) {
                double v = t < (1 << d) ? (((t >> i) & 1) == 0 ? s.lo()[i] : s.hi()[i])
                        : s.lo()[i] + r.nextDouble() * (s.hi()[i] - s.lo()[i]);
                x[i] = (float) v;
            }
            if (!s.contains(toDouble(x))) {
                continue; // the box's float32 rounding falls outside it
            }
            double[] h = target.hidden(x);
            for (int i = 0; i < h.length; i++) {
                assertTrue(h[i] >= s.hiddenLo()[i] && h[i] <= s.hiddenHi()[i], "seed " + seed + ": h" + i + " = "
                        + h[i] + " outside [" + s.hiddenLo()[i] + ", " + s.hiddenHi()[i] + "]");
            }
            float[] y = target.net().evaluate(x);
            for (Subdomain.Refutation ref : s.refutations()) {
                double[] a = ref.constraint().coefficients();
                double v = -ref.constraint().bound();
                for (int j = 0; j < a.length; j++) {
                    v += a[j] * y[j];
                }
                assertTrue(v >= ref.lowerGap() - 1e-9 * (1 + Math.abs(v)), "seed " + seed + ": a·y - b = " + v
                        + " below its lower gap " + ref.lowerGap());
            }
        }
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
