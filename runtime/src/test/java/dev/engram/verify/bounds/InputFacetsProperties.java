package dev.engram.verify.bounds;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The first layer's ReLUs relaxed in the input space ({@link InputFacets}) in the dense backward passes, on random
 * ReLU networks and boxes: the functions of the passes with them (for a random objective of the outputs, and the
 * tightening rows of every layer) lie below the network as executed in float32 at sampled inputs (one in five at a
 * box corner), its sums run in three orders (compared exactly, in {@code BigDecimal}); and their bound over the box is
 * never below the plain pass's (the triangle) by more than the certificate's own rounding allowance. The certificate
 * alone: any function it raises lies above {@code relu(z + e)}, {@code |e| <= ε}, at every corner of the box, exactly.
 */
class InputFacetsProperties {

    @Test
    void hullPassesLieBelowTheExecutedNetwork() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = reluFirst(r);
            BoundNetwork bn = BoundNetwork.of(net);
            double[][] box = BatchedBackwardProperties.box(r, bn.sizes[0]);
            LinearBounds b = LinearBounds.forward(bn, box[0], box[1], true);
            double[] c = new double[bn.sizes[bn.layers]];
            for (int o = 0; o < c.length; o++) {
                c[o] = r.nextGaussian();
            }
            LinearBounds.Linear f = BackwardPass.run(b, bn.layers, c, null, null, true);
            int top = r.nextInt(bn.layers);
            int out = bn.sizes[top + 1];
            int[] units = new int[out];
            double[] signs = new double[out];
            for (int o = 0; o < out; o++) {
                units[o] = o;
                signs[o] = r.nextBoolean() ? 1 : -1;
            }
            LinearBounds.Linear[] fs = BackwardPass.units(b, top, units, signs, true);
            for (int s = 0; s < 60; s++) {
                float[] x = s % 5 == 0 ? corner(r, box) : BatchedBackwardProperties.sample(r, box);
                for (int order = 0; order < 3; order++) {
                    float[][] z = execute(net, x, order);
                    BigDecimal y = BigDecimal.ZERO;
                    for (int o = 0; o < c.length; o++) {
                        y = y.add(new BigDecimal(c[o]).multiply(new BigDecimal(z[bn.layers - 1][o])));
                    }
                    assertTrue(y.compareTo(at(f, x)) >= 0, "seed " + seed + ": objective, order " + order);
                    for (int o = 0; o < out; o++) {
                        BigDecimal v = new BigDecimal(signs[o]).multiply(new BigDecimal(z[top][o]));
                        assertTrue(v.compareTo(at(fs[o], x)) >= 0, "seed " + seed + ": layer " + top + " unit " + o);
                    }
                }
            }
        });
    }

    @Test
    void hullPassesAreNeverLooserThanTheTriangle() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            BoundNetwork bn = BoundNetwork.of(reluFirst(r));
            double[][] box = BatchedBackwardProperties.box(r, bn.sizes[0]);
            LinearBounds b = LinearBounds.forward(bn, box[0], box[1], true);
            double[] c = new double[bn.sizes[bn.layers]];
            for (int o = 0; o < c.length; o++) {
                c[o] = r.nextGaussian();
            }
            check(seed, b, BackwardPass.run(b, bn.layers, c, null, null, false),
                    BackwardPass.run(b, bn.layers, c, null, null, true));
            for (int l = 0; l < bn.layers; l++) {
                BatchedBackwardProperties.Rows rows = BatchedBackwardProperties.Rows.random(r, bn.sizes[l + 1]);
                LinearBounds.Linear[] plain = BackwardPass.units(b, l, rows.units(), rows.signs(), false);
                LinearBounds.Linear[] hull = BackwardPass.units(b, l, rows.units(), rows.signs(), true);
                for (int k = 0; k < plain.length; k++) {
                    check(seed, b, plain[k], hull[k]);
                }
            }
        });
    }

    @Test
    void certifiedFunctionsBoundTheUnitAtEveryCorner() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = reluFirst(r);
            BoundNetwork bn = BoundNetwork.of(net);
            int d = bn.sizes[0];
            double[][] box = BatchedBackwardProperties.box(r, d);
            LinearBounds b = LinearBounds.forward(bn, box[0], box[1], true);
            InputFacets facets = new InputFacets(b);
            int o = r.nextInt(bn.sizes[1]);
            double[] fw = new double[d];
            for (int t = 0; t < d; t++) {
                fw[t] = r.nextInt(3) == 0 ? bn.w[0][o * d + t] : r.nextGaussian();
            }
            double err = r.nextBoolean() ? 0 : 1e-3 * r.nextDouble();
            double fc = facets.certified(o, fw, r.nextGaussian(), err);
            for (int m = 0; m < 1 << d; m++) { // every corner: the minima of F and of F - z are at corners
                BigDecimal f = new BigDecimal(fc);
                BigDecimal z = new BigDecimal(bn.b[0][o]).add(new BigDecimal(err));
                for (int t = 0; t < d; t++) {
                    BigDecimal x = new BigDecimal((m >> t & 1) == 0 ? box[0][t] : box[1][t]);
                    f = f.add(new BigDecimal(fw[t]).multiply(x));
                    z = z.add(new BigDecimal(bn.w[0][o * d + t]).multiply(x));
                }
                assertTrue(f.signum() >= 0 && f.compareTo(z) >= 0, "seed " + seed + ": corner " + m);
            }
        });
    }

    /**
     * The hull pass's minimum over the box is at least the plain one's, less a tolerance that covers the rounding
     * allowances (the certificate raises each function by the unit's float32 error and {@code 2^-30} of its
     * magnitudes, where the triangle pays the error times its slope).
     */
    private static void check(long seed, LinearBounds b, LinearBounds.Linear plain, LinearBounds.Linear hull) {
        double p = b.value(plain, null, false);
        double h = b.value(hull, null, false);
        if (p == Double.NEGATIVE_INFINITY) {
            return;
        }
        double tol = 1e-5 * (1 + Math.abs(p) + b.maxMag);
        assertTrue(h >= p - tol, "seed " + seed + ": hull " + h + " below plain " + p);
    }

    /** {@link BatchedBackwardProperties#network} with a ReLU first layer (resampled from the same generator). */
    private static DenseNetwork reluFirst(Random r) {
        while (true) {
            DenseNetwork net = BatchedBackwardProperties.network(r);
            if (net.layers().get(0).activation() == Activation.RELU) {
                return net;
            }
        }
    }

    private static float[] corner(Random r, double[][] box) {
        float[] x = BatchedBackwardProperties.sample(r, box);
        for (int i = 0; i < x.length; i++) {
            float v = (float) (r.nextBoolean() ? box[0][i] : box[1][i]);
            if (v >= box[0][i] && v <= box[1][i]) {
                x[i] = v;
            }
        }
        return x;
    }

    private static BigDecimal at(LinearBounds.Linear f, float[] x) {
        BigDecimal v = new BigDecimal(f.constant());
        for (int i = 0; i < x.length; i++) {
            v = v.add(new BigDecimal(f.coef()[i]).multiply(new BigDecimal(x[i])));
        }
        return v;
    }

    /**
     * Every layer's pre-activations, executed in float32 with the sums in one of three orders: bias first and
     * sequential, reversed with the bias last, pairwise.
     */
    static float[][] execute(DenseNetwork net, float[] x, int order) {
        float[][] zs = new float[net.layers().size()][];
        float[] h = x;
        for (int l = 0; l < zs.length; l++) {
            DenseLayer layer = net.layers().get(l);
            float[] z = new float[layer.bias().length];
            for (int o = 0; o < z.length; o++) {
                float[] t = new float[h.length];
                for (int i = 0; i < h.length; i++) {
                    t[i] = layer.weight()[o][i] * h[i];
                }
                z[o] = sum(t, layer.bias()[o], order);
            }
            zs[l] = z;
            h = new float[z.length];
            for (int o = 0; o < z.length; o++) {
                h[o] = (float) layer.activation().apply(z[o], layer.alpha());
            }
        }
        return zs;
    }

    private static float sum(float[] t, float bias, int order) {
        if (order == 0) {
            float s = bias;
            for (float v : t) {
                s += v;
            }
            return s;
        }
        if (order == 1) {
            float s = 0;
            for (int i = t.length - 1; i >= 0; i--) {
                s += t[i];
            }
            return s + bias;
        }
        return pairwise(t, 0, t.length) + bias;
    }

    private static float pairwise(float[] t, int from, int to) {
        if (to - from == 0) {
            return 0;
        }
        if (to - from == 1) {
            return t[from];
        }
        int mid = (from + to) >>> 1;
        return pairwise(t, from, mid) + pairwise(t, mid, to);
    }
}
