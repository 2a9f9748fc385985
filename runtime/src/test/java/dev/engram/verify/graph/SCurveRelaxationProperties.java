package dev.engram.verify.graph;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The sigmoid and tanh lines ({@link SCurveBound}) on random argument ranges (bounds scaled by {@code 10^-3 .. 10^2},
 * convex, concave and crossing): CROWN's lower and upper lines, and the tangent at every sampled point of each line's
 * valid interval ({@link SCurveBound#sides}: both ends and random points), lie below (lower) or above (upper) the
 * function at both ends of the range, at 0 and at 64 random points of it. The oracle is the function evaluated in
 * double, independent of the lines. Sampling the crossing upper line's points from 0 instead of {@code d_min} fails
 * here.
 */
class SCurveRelaxationProperties {

    @Test
    void sigmoidLinesBoundTheFunction() {
        property(new SigmoidBound(N));
    }

    @Test
    void tanhLinesBoundTheFunction() {
        property(new TanhBound(N));
    }

    private static final int N = 48;

    private static void property(SCurveBound op) {
        int[] free = new int[1];
        qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> free[0] += check(op, new Random(seed), seed));
        assertTrue(free[0] > 150 * N / 2, "most lines should have tangent points to choose: " + free[0]);
    }

    /** One range per element; returns the number of free lines checked. */
    private static int check(SCurveBound op, Random r, long seed) {
        double[] lo = new double[N];
        double[] hi = new double[N];
        for (int i = 0; i < N; i++) {
            double scale = Math.pow(10, -3 + 5 * r.nextDouble());
            double a = scale * r.nextGaussian();
            double b = scale * r.nextGaussian();
            switch (r.nextInt(4)) {
                case 0 -> { // convex
                    a = -Math.abs(a);
                    b = -Math.abs(b);
                }
                case 1 -> { // concave
                    a = Math.abs(a);
                    b = Math.abs(b);
                }
                case 2 -> { // crossing
                    a = -Math.abs(a);
                    b = Math.abs(b);
                }
                default -> {
                }
            }
            lo[i] = Math.min(a, b);
            hi[i] = Math.max(a, b);
        }
        Range z = new Range(lo, hi);
        SCurveBound.Sides sides = op.sides(z);
        int free = 0;
        for (int i = 0; i < N; i++) {
            for (boolean lower : new boolean[] {true, false}) {
                int k = lower ? i : N + i;
                assertLine(op, op.line(lo[i], hi[i], lower), lo[i], hi[i], lower, r, seed, "CROWN's line");
                if (!sides.free(k)) {
                    continue;
                }
                free++;
                double dl = sides.lo()[k];
                double dh = sides.hi()[k];
                if (!(dl <= sides.start()[k] && sides.start()[k] <= dh && dl >= lo[i] && dh <= hi[i])) {
                    fail("seed " + seed + ": tangent interval [" + dl + ", " + dh + "] start " + sides.start()[k]
                            + " not inside [" + lo[i] + ", " + hi[i] + "]");
                }
                for (double d : new double[] {dl, dh, dl + r.nextDouble() * (dh - dl), sides.clamp(k, dl - 1)}) {
                    assertLine(op, op.tangent(d, lo[i], hi[i], lower), lo[i], hi[i], lower, r, seed,
                            "tangent at " + d);
                }
            }
        }
        return free;
    }

    private static void assertLine(SCurveBound op, double[] st, double l, double u, boolean lower, Random r,
                                   long seed, String what) {
        double[] zs = new double[67];
        zs[0] = l;
        zs[1] = u;
        zs[2] = Math.min(u, Math.max(l, 0));
        for (int j = 3; j < zs.length; j++) {
            zs[j] = l + r.nextDouble() * (u - l);
        }
        for (double x : zs) {
            double line = st[0] * x + st[1];
            double f = op.f(x);
            if (lower ? !(line <= f) : !(line >= f)) {
                fail("seed " + seed + ": " + op.type() + " " + (lower ? "lower" : "upper") + " " + what
                        + " on [" + l + ", " + u + "] is " + line + " at " + x + " where f = " + f);
            }
        }
    }
}
