package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.LinearBounds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Soundness of bounds over a box cut by linear input constraints: outputs sampled at points of the polytope, in
 * every float32 summation order, lie inside the bounds (exactly, no tolerance), and the verifier's {@code unsat} over such regions survives sampling. (Tighter intermediate
 * bounds can change the adaptive ReLU relaxations, so the final bounds are not always tighter than the box's.)
 */
class PolytopeBoundsProperties {

    /** One or two random half-spaces through points of the box. */
    static List<LinearConstraint> cuts(Random r, Box box) {
        int d = box.dimension();
        int n = 1 + r.nextInt(2);
        LinearConstraint[] out = new LinearConstraint[n];
        for (int k = 0; k < n; k++) {
            double[] a = new double[d];
            double q = 0;
            for (int i = 0; i < d; i++) {
                a[i] = r.nextGaussian();
                q += a[i] * (box.lo()[i] + r.nextDouble() * (box.hi()[i] - box.lo()[i]));
            }
            out[k] = new LinearConstraint(a, q);
        }
        return List.of(out);
    }

    static boolean feasible(float[] x, List<LinearConstraint> cons) {
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        // in double, and exactly where double rounding could decide
        return cons.stream().allMatch(c -> c.holds(xd, -1e-9 * (1 + Math.abs(c.bound())))
                || c.holds(xd, 1e-9 * (1 + Math.abs(c.bound()))) && c.holdsExactly(xd));
    }

    @Test
    void polytopeBoundsContainSampledOutputs() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 5, 1, 4);
            Random r = gen.random();
            DenseNetwork net = gen.net();
            Box box = gen.box();
            List<LinearConstraint> cons = cuts(r, box);
            BoundNetwork bn = BoundNetwork.of(net);
            LinearBounds cut = LinearBounds.forward(bn, box.lo(), box.hi(), true, null, cons);
            int last = bn.layers() - 1;
            double[] c = RandomNets.gaussians(r, net.outputSize());
            double lbc = cut.lowerBound(c, null, null);
            for (float[] y : Float32Oracle.sampledOutputs(net, r, box, 150, x -> feasible(x, cons))) {
                for (int j = 0; j < y.length; j++) {
                    assertTrue(y[j] >= cut.lower(last)[j] && y[j] <= cut.upper(last)[j],
                            "seed " + seed + ": output " + j + " = " + y[j] + " outside [" + cut.lower(last)[j]
                                    + ", " + cut.upper(last)[j] + "]");
                }
                assertTrue(Float32Oracle.dot(c, y).compareTo(new java.math.BigDecimal(lbc)) >= 0,
                        "seed " + seed + ": c.y below its lower bound");
            }
        });
    }

    @Test
    void unsatOverAPolytopeSurvivesSampling() {
        int[] unsat = new int[1];
        qt().withExamples(60).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 2, 4, 2, 2);
            Random r = gen.random();
            DenseNetwork net = gen.net();
            Box box = gen.box();
            List<LinearConstraint> cons = cuts(r, box);
            // unsafe: y0 <= t, with t just below the box-wide lower bound of y0 plus a random shift
            LinearBounds lb = LinearBounds.forward(BoundNetwork.of(net), box.lo(), box.hi(), true, null, cons);
            double t = lb.lower(BoundNetwork.of(net).layers() - 1)[0] + 0.3 * r.nextGaussian();
            Property p = new Property("cut", new InputRegion(List.of(box), cons),
                    List.of(List.of(new LinearConstraint(new double[] {1, 0}, t))));
            Verdict v = BranchAndBoundVerifier.create().verify(net, p, new VerifyOptions(5, 2, seed));
            if (v instanceof Verdict.Unsat) {
                unsat[0]++;
                for (int s = 0; s < 20_000; s++) {
                    float[] x = RandomNets.sample(r, box);
                    if (feasible(x, cons)) {
                        assertTrue(net.evaluate(x)[0] > t, "seed " + seed + ": unsat but a sampled point is unsafe");
                    }
                }
            } else if (v instanceof Verdict.Sat s) {
                assertTrue(s.output()[0] <= t, "seed " + seed + ": witness is not unsafe");
                for (LinearConstraint c : cons) {
                    assertTrue(c.holds(s.input(), 1e-6), "seed " + seed + ": witness outside the region");
                }
            }
        });
        System.out.println("[polytope] unsat verdicts checked by sampling: " + unsat[0] + "/60");
    }
}
