package dev.engram.verify.bounds;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The backward passes of {@link BackwardPass} (the branch-free relaxations, the batched pass's unit-by-unit layout)
 * against a plain reference written here: CROWN unit by unit with a branch per sign, skipping every zero, and the
 * error terms of {@code docs/verifier.md} counted term by term (the pass before 2026-11-27). On random ReLU and
 * leaky-ReLU networks and boxes, for the tightening rows of every layer, random objectives on the outputs and random
 * α slopes: the input coefficients are equal bit for bit, and the constant is at most the reference's (the pass counts
 * two terms per unit, an upper bound of the terms that are not 0, so its rounding allowance is never smaller) and
 * below it by no more than that allowance's difference.
 */
class ReferencePassProperties {

    @Test
    void passesEqualTheReferencePass() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            BoundNetwork bn = BoundNetwork.of(BatchedBackwardProperties.network(r));
            double[][] box = BatchedBackwardProperties.box(r, bn.sizes[0]);
            LinearBounds b = LinearBounds.forward(bn, box[0], box[1], true);
            for (int l = 0; l < bn.layers; l++) { // the tightening rows of every layer
                BatchedBackwardProperties.Rows rows = BatchedBackwardProperties.Rows.random(r, bn.sizes[l + 1]);
                LinearBounds.Linear[] batched = BackwardPass.units(b, l, rows.units(), rows.signs());
                for (int k = 0; k < batched.length; k++) {
                    double[] e = new double[bn.sizes[l + 1]];
                    e[rows.units()[k]] = rows.signs()[k];
                    check(seed, b, l, e, null, batched[k]);
                }
            }
            double[] c = new double[bn.sizes[bn.layers]];
            for (int o = 0; o < c.length; o++) {
                c[o] = r.nextInt(3) == 0 ? 0 : r.nextGaussian();
            }
            check(seed, b, bn.layers, c, null, b.backward(bn.layers, c, null, null));
            double[][] alpha = new double[bn.layers][];
            for (int l = 0; l < bn.layers; l++) {
                alpha[l] = new double[bn.sizes[l + 1]];
                double min = bn.act[l].minLowerSlope();
                for (int o = 0; o < alpha[l].length; o++) {
                    alpha[l][o] = Double.isNaN(min) ? 0 : min + (1 - min) * r.nextDouble();
                }
            }
            check(seed, b, bn.layers, c, alpha, b.backward(bn.layers, c, alpha, null));
        });
    }

    private static void check(long seed, LinearBounds b, int top, double[] c, double[][] alpha,
                              LinearBounds.Linear pass) {
        if (b.overflow) {
            assertEquals(Double.NEGATIVE_INFINITY, pass.constant(), 0.0);
            return;
        }
        double[] coef = new double[b.xlo.length];
        double[] ref = reference(b, top, c, alpha, coef);
        for (int i = 0; i < coef.length; i++) {
            assertEquals(Double.doubleToLongBits(coef[i]), Double.doubleToLongBits(pass.coef()[i]),
                    "seed " + seed + ": coefficient " + i + " of a pass from layer " + top);
        }
        assertTrue(pass.constant() <= ref[0], "seed " + seed + ": constant above the reference's");
        // the allowances differ by (γ_{T'+1} - γ_{T+1}) size with T' <= T + 2 Σ sizes: far below 1e-12 size
        assertTrue(ref[0] - pass.constant() <= 1e-12 * (1 + ref[1]), "seed " + seed + ": constant far below");
    }

    /**
     * The reference pass for {@code c · ẑ_top} ({@code c · y} for top == layers): coefficients to {@code coef};
     * returns its constant and the sum of its terms' magnitudes.
     */
    private static double[] reference(LinearBounds b, int top, double[] c, double[][] alpha, double[] coef) {
        BoundNetwork net = b.net;
        double cst = 0;
        double size = 0;
        double err = 0;
        long terms = 0;
        double[] a;
        if (top == net.layers) {
            a = c.clone();
        } else {
            int in = net.sizes[top];
            a = new double[in];
            for (int o = 0; o < c.length; o++) {
                if (c[o] == 0) {
                    continue;
                }
                double t = c[o] * net.b[top][o];
                cst += t;
                size += Math.abs(t);
                terms++;
                err += Math.abs(c[o]) * b.topSlack[top][o];
                for (int i = 0; i < in; i++) {
                    a[i] += c[o] * net.w[top][o * in + i];
                }
            }
        }
        for (int l = top - 1; l >= 0; l--) {
            int in = net.sizes[l];
            double[] prev = new double[in];
            for (int o = 0; o < a.length; o++) {
                double ao = a[o];
                if (ao == 0) {
                    continue;
                }
                double z;
                double line;
                if (ao > 0) {
                    boolean optimised = alpha != null && b.free[l][o];
                    z = ao * (optimised ? alpha[l][o] : b.la[l][o]);
                    line = optimised ? 0 : b.lb[l][o];
                } else {
                    z = ao * b.ua[l][o];
                    line = b.ub[l][o];
                }
                if (line != 0) {
                    cst += ao * line;
                    size += Math.abs(ao * line);
                    terms++;
                }
                if (z != 0) {
                    cst += z * net.b[l][o];
                    size += Math.abs(z * net.b[l][o]);
                    terms++;
                    err += Math.abs(z) * b.slack[l][o];
                    for (int i = 0; i < in; i++) {
                        prev[i] += z * net.w[l][o * in + i];
                    }
                }
            }
            a = prev;
        }
        System.arraycopy(a, 0, coef, 0, coef.length);
        double total = err + Rounding.gamma(terms + 1) * size + Rounding.TINY * (1 + b.maxMag);
        return new double[] {Math.nextDown(cst - Rounding.up(total, terms + 2L * net.sizes[net.layers] + 4)), size};
    }
}
