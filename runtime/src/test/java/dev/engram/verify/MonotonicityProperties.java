package dev.engram.verify;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.monotone.Monotonicity;
import dev.engram.verify.monotone.MonotonicityVerifier;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Soundness of the monotonicity verifier on small random ReLU networks (1–3 hidden layers, 1–4 inputs, random
 * linear forms of 1–3 outputs), half of them made monotone in the chosen input by taking the absolute value of every
 * weight on a path from it (so proofs occur), the rest left random (so counterexamples occur):
 * <ul>
 *   <li>a proof is never contradicted by dense sampling of pairs along the input (100 lines of 32 points), neither
 *   in exact real arithmetic (no decrease at all) nor in float32 in seven summation orders (no decrease beyond the
 *   reported tolerance);</li>
 *   <li>every counterexample pair is real: the inputs are in the box, ordered in the monotone input and equal
 *   elsewhere, and re-executed in float32 their outputs drop by more than the tolerance (exactly).</li>
 * </ul>
 */
class MonotonicityProperties {
    /** Lines sampled along the input per proof, and points per line. */
    static final int LINES = 100;
    static final int POINTS = 32;

    @Test
    void verdictsAreSound() {
        int[] counts = new int[3];
        qt().withExamples(80).forAll(longs().all()).checkAssert(seed -> {
            RandomNets.Case gen = RandomNets.Case.of(seed, 1, 4, 1, 3);
            Random r = gen.random();
            int outs = gen.outputs();
            int slot = r.nextInt(gen.inputs());
            double[] a = new double[outs];
            for (int k = 0; k < outs; k++) {
                a[k] = r.nextBoolean() ? 1 + r.nextDouble() : -(1 + r.nextDouble());
            }
            DenseNetwork net = gen.net();
            if (r.nextBoolean()) {
                net = monotone(net, slot, a);
            }
            Box box = gen.box();
            Monotonicity m = new Monotonicity("random", InputRegion.of(box), a, slot);
            MonotonicityVerifier.Result res = MonotonicityVerifier.verify(net, m, 20);
            if (res.verdict() instanceof Verdict.Unsat) {
                counts[0]++;
                checkNoDrop(net, m, res.tolerance(), r);
            } else if (res.verdict() instanceof Verdict.Sat s) {
                counts[1]++;
                checkPair(net, m, res.tolerance(), s);
            } else {
                counts[2]++;
            }
        });
        System.out.printf("monotonicity: %d proved, %d counterexamples, %d undecided%n", counts[0], counts[1],
                counts[2]);
        assertTrue(counts[0] > 10 && counts[1] > 10, "both verdicts must occur: " + counts[0] + ", " + counts[1]);
    }

    /** The network with every weight on a path from {@code slot} made sign-consistent with {@code a}. */
    static DenseNetwork monotone(DenseNetwork net, int slot, double[] a) {
        List<DenseLayer> layers = new ArrayList<>();
        int last = net.layers().size() - 1;
        for (int l = 0; l <= last; l++) {
            DenseLayer d = net.layers().get(l);
            float[][] w = new float[d.outputSize()][];
            for (int o = 0; o < w.length; o++) {
                w[o] = d.weight()[o].clone();
                for (int i = 0; i < w[o].length; i++) {
                    if (l > 0 || i == slot) {
                        float v = Math.abs(w[o][i]);
                        w[o][i] = l == last && a[o] < 0 ? -v : v;
                    }
                }
            }
            layers.add(new DenseLayer(d.name(), w, d.bias(), d.activation(), d.alpha(), null, null));
        }
        return new DenseNetwork(layers);
    }

    private static void checkNoDrop(DenseNetwork net, Monotonicity m, double tolerance, Random r) {
        int s = m.slot();
        Box box = m.box();
        for (int line = 0; line < LINES; line++) {
            float[] x = RandomNets.sample(r, box);
            BigDecimal prevExact = null;
            double[] prevOrders = null;
            for (int k = 0; k < POINTS; k++) {
                x[s] = inside((float) (box.lo()[s] + (box.hi()[s] - box.lo()[s]) * k / (POINTS - 1)), box, s);
                BigDecimal[] ye = Float32Oracle.exact(net, x);
                BigDecimal exact = BigDecimal.ZERO;
                for (int j = 0; j < ye.length; j++) {
                    exact = exact.add(new BigDecimal(m.objective()[j]).multiply(ye[j]));
                }
                List<float[]> ys = Float32Oracle.everyOrder(net, x);
                double[] vals = new double[ys.size()];
                for (int o = 0; o < vals.length; o++) {
                    vals[o] = Float32Oracle.dot(m.objective(), ys.get(o)).doubleValue();
                }
                if (prevExact != null) {
                    assertTrue(exact.compareTo(prevExact) >= 0, "proved monotone, but the real output decreases");
                    for (double p : prevOrders) {
                        for (double v : vals) {
                            assertTrue(p - v <= tolerance, "float32 drop " + (p - v) + " beyond tolerance "
                                    + tolerance);
                        }
                    }
                }
                prevExact = exact;
                prevOrders = vals;
            }
        }
    }

    private static void checkPair(DenseNetwork net, Monotonicity m, double tolerance, Verdict.Sat s) {
        int slot = m.slot();
        double[] x = s.input();
        double[] x2 = s.partner().orElseThrow().input();
        Box box = m.box();
        assertEquals(x.length, x2.length);
        float[] fx = new float[x.length];
        float[] fx2 = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            fx[i] = (float) x[i];
            fx2[i] = (float) x2[i];
            assertEquals(x[i], fx[i], 0.0, "inputs are float32");
            assertTrue(x[i] >= box.lo()[i] && x[i] <= box.hi()[i] && x2[i] >= box.lo()[i] && x2[i] <= box.hi()[i]);
            if (i != slot) {
                assertEquals(x[i], x2[i], 0.0, "the pair differs only in the monotone input");
            }
        }
        assertTrue(x[slot] <= x2[slot], "ordered in the monotone input");
        BigDecimal drop = Float32Oracle.dot(m.objective(), net.evaluate(fx))
                .subtract(Float32Oracle.dot(m.objective(), net.evaluate(fx2)));
        assertTrue(drop.compareTo(new BigDecimal(tolerance)) > 0, "re-executed drop " + drop + " within tolerance");
    }

    private static float inside(float v, Box b, int i) {
        float f = v;
        while (f < b.lo()[i]) {
            f = Math.nextUp(f);
        }
        while (f > b.hi()[i]) {
            f = Math.nextDown(f);
        }
        return f;
    }

}
