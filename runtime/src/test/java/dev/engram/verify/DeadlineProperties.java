package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The time limit is a correctness property of the verifier, not a performance figure: on large random networks
 * (hundreds of inputs, layers hundreds wide, where one subdomain's bounds take a noticeable share of a second) and
 * tiny timeouts, {@code verify} returns within the timeout plus {@code max(1 s, 5 %)}, and anything but a definite
 * answer is a {@code timeout} (or an {@code unknown}).
 */
class DeadlineProperties {

    @Test
    void verifyReturnsWithinItsTimeout() {
        int[] timeouts = new int[1];
        double[] worst = {Double.NEGATIVE_INFINITY};
        qt().withExamples(12).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 100 + r.nextInt(700);
            DenseNetwork net = RandomNets.relu(r, d, 2, 64, 400, 0.1, 0, 0);
            double[] lo = new double[d];
            double[] hi = new double[d];
            for (int i = 0; i < d; i++) {
                double c = r.nextGaussian();
                double w = 0.05 + r.nextDouble();
                lo[i] = c - w;
                hi[i] = c + w;
            }
            Box box = new Box(lo, hi);
            // unsafe: y_0 - y_1 <= t, with t below the sampled minimum by up to twice the sampled spread: rarely
            // reachable, and far too wide a box to prove by input splitting
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < 50; s++) {
                float[] y = net.evaluate(RandomNets.sample(r, box));
                min = Math.min(min, y[0] - y[1]);
                max = Math.max(max, y[0] - y[1]);
            }
            double t = min - (0.2 + 2 * r.nextDouble()) * (max - min);
            Property p = new Property("wide", InputRegion.of(box),
                    List.of(List.of(new LinearConstraint(new double[] {1, -1}, t))));
            double timeout = Math.pow(10, -2.3 + 1.6 * r.nextDouble()); // 0.005 s to 0.2 s
            long t0 = System.nanoTime();
            Verdict v = BranchAndBoundVerifier.create().verify(net, p, new VerifyOptions(timeout, 2, seed));
            double wall = (System.nanoTime() - t0) / 1e9;
            assertTrue(wall <= timeout + Math.max(1.0, 0.05 * timeout), "seed " + seed + ": " + d + " inputs, timeout "
                    + timeout + " s, returned " + v.word() + " after " + wall + " s");
            if (v instanceof Verdict.Timeout || v instanceof Verdict.Unknown) {
                timeouts[0]++;
            }
            worst[0] = Math.max(worst[0], wall - timeout);
        });
        System.out.printf("[deadline] 12 large networks, %d undecided at the limit, all within the limit (latest %.3f s after the "
                + "timeout)%n", timeouts[0], worst[0]);
        assertTrue(timeouts[0] >= 2, "the cases should be hard enough to reach their time limit");
    }
}
