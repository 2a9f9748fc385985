package dev.engram.verify.bounds;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The symbolic forward layer ({@link Symbolic#through}: one register-blocked product over interleaved weight parts)
 * and its concretisation ({@link Symbolic#concretise}: all units at once, branch free) against plain loops written
 * here (the code before 2026-11-27, session 2: per function row, per input with a branch skipping zeros, per unit a
 * branch per coefficient sign), compared bit for bit, on random ReLU and leaky-ReLU networks with zero weights and
 * inputs of up to 40 dimensions (more rows than one product block); and the forward bounds of every layer, plain and
 * CROWN-tightened, against the pre-activations executed in float32 at sampled inputs, each sum in three orders
 * (inputs in order then bias, bias first, inputs in reverse order), with no tolerance.
 */
class SymbolicLayerProperties {

    @Test
    void productLayerAndConcretisationEqualThePlainLoops() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = network(r);
            BoundNetwork bn = BoundNetwork.of(net);
            double[][] box = BatchedBackwardProperties.box(r, bn.sizes[0]);
            LinearBounds b = LinearBounds.forward(bn, box[0], box[1], false);
            Symbolic h = Symbolic.inputs(b);
            for (int l = 0; l < bn.layers; l++) {
                int out = bn.sizes[l + 1];
                Symbolic z = h.through(bn, l, new double[out], Deadline.NONE);
                double[][][] ref = plainLayer(bn, l, h);
                for (int k = 0; k < z.lower.length; k++) {
                    for (int o = 0; o < out; o++) {
                        assertEquals(Double.doubleToLongBits(ref[0][k][o]), Double.doubleToLongBits(z.lower[k][o]),
                                "seed " + seed + ": layer " + l + " lower " + k + "," + o);
                        assertEquals(Double.doubleToLongBits(ref[1][k][o]), Double.doubleToLongBits(z.upper[k][o]),
                                "seed " + seed + ": layer " + l + " upper " + k + "," + o);
                    }
                }
                double[] zl = new double[out];
                double[] zu = new double[out];
                Arrays.fill(zl, Double.NEGATIVE_INFINITY);
                Arrays.fill(zu, Double.POSITIVE_INFINITY);
                z.concretise(b, zl, zu);
                for (int o = 0; o < out; o++) {
                    double[] p = plainConcretise(b, z, o);
                    assertEquals(p[0], zl[o], 0.0, "seed " + seed + ": layer " + l + " lower bound " + o);
                    assertEquals(p[1], zu[o], 0.0, "seed " + seed + ": layer " + l + " upper bound " + o);
                }
                if (l < bn.layers - 1) {
                    h = z.relaxed(b, l);
                }
            }
        });
    }

    @Test
    void forwardBoundsContainFloat32PreActivationsInThreeOrders() {
        qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = network(r);
            BoundNetwork bn = BoundNetwork.of(net);
            double[][] box = BatchedBackwardProperties.box(r, bn.sizes[0]);
            for (boolean crown : new boolean[] {false, true}) {
                LinearBounds b = LinearBounds.forward(bn, box[0], box[1], crown);
                for (int s = 0; s < 30; s++) {
                    float[] x = BatchedBackwardProperties.sample(r, box);
                    for (int order = 0; order < 3; order++) {
                        float[][] z = preActivations(net, x, order);
                        for (int l = 0; l < z.length; l++) {
                            for (int o = 0; o < z[l].length; o++) {
                                assertTrue(z[l][o] >= b.lo[l][o] && z[l][o] <= b.hi[l][o], "seed " + seed + ": layer "
                                        + l + " unit " + o + " = " + z[l][o] + " outside [" + b.lo[l][o] + ", "
                                        + b.hi[l][o] + "], order " + order + ", crown " + crown);
                            }
                        }
                    }
                }
            }
        });
    }

    /** The layer's symbolic functions by the plain loops: {lower, upper}, each [row][unit]. */
    private static double[][][] plainLayer(BoundNetwork bn, int l, Symbolic h) {
        int in = bn.sizes[l];
        int out = bn.sizes[l + 1];
        int st = h.lower.length;
        double[][] zl = new double[st][out];
        double[][] zu = new double[st][out];
        for (int k = 0; k < st; k++) {
            for (int i = 0; i < in; i++) {
                double li = h.lower[k][i];
                double ui = h.upper[k][i];
                if (li == 0 && ui == 0) {
                    continue;
                }
                for (int o = 0; o < out; o++) {
                    double w = bn.w[l][o * in + i];
                    double p = w > 0 ? w : 0;
                    double n = w < 0 ? w : 0;
                    zl[k][o] += p * li + n * ui;
                    zu[k][o] += p * ui + n * li;
                }
            }
        }
        for (int o = 0; o < out; o++) {
            zl[st - 1][o] += bn.b[l][o];
            zu[st - 1][o] += bn.b[l][o];
        }
        return new double[][][] {zl, zu};
    }

    /** Unit o's bounds by the plain loop with a branch per sign (no input constraints). */
    private static double[] plainConcretise(LinearBounds r, Symbolic z, int o) {
        int d = z.lower.length - 1;
        double sl = z.lower[d][o];
        double su = z.upper[d][o];
        double ql = Math.abs(sl);
        double qu = Math.abs(su);
        for (int k = 0; k < d; k++) {
            double a = z.lower[k][o];
            double c = z.upper[k][o];
            sl += a > 0 ? a * r.xlo[k] : a * r.xhi[k];
            su += c > 0 ? c * r.xhi[k] : c * r.xlo[k];
            ql += Math.abs(a) * r.xmag[k];
            qu += Math.abs(c) * r.xmag[k];
        }
        double g = Rounding.gamma(d + 2);
        double err = z.err[o];
        return new double[] {
            Math.nextDown(sl - Rounding.up(err + g * Rounding.up(ql, d + 1), 2)),
            Math.nextUp(su + Rounding.up(err + g * Rounding.up(qu, d + 1), 2))};
    }

    /**
     * A random network: 1 to 40 inputs, 1 to 3 hidden layers of 2 to 40 units (ReLU or leaky ReLU), a quarter of the
     * weights 0.
     */
    private static DenseNetwork network(Random r) {
        int in = 1 + r.nextInt(40);
        int depth = 1 + r.nextInt(3);
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l <= depth; l++) {
            boolean last = l == depth;
            int out = last ? 1 + r.nextInt(4) : 2 + r.nextInt(39);
            float[][] w = new float[out][in];
            float[] bias = new float[out];
            double scale = 1.5 / Math.sqrt(in);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    w[o][i] = r.nextInt(4) == 0 ? 0f : (float) (r.nextGaussian() * scale);
                }
                bias[o] = (float) (r.nextGaussian() * 0.3);
            }
            boolean leaky = r.nextInt(4) == 0;
            Activation act = last ? Activation.IDENTITY : leaky ? Activation.LEAKY_RELU : Activation.RELU;
            layers.add(new DenseLayer("l" + l, w, bias, act, leaky ? 0.01 + 0.2 * r.nextDouble() : 0, null, null));
            in = out;
        }
        return new DenseNetwork(layers);
    }

    /**
     * Every layer's pre-activations executed in float32, each sum in {@code order}: 0 the inputs in order then the
     * bias, 1 the bias first, 2 the inputs in reverse order then the bias.
     */
    private static float[][] preActivations(DenseNetwork net, float[] x, int order) {
        float[][] z = new float[net.layers().size()][];
        float[] h = x;
        for (int l = 0; l < z.length; l++) {
            DenseLayer layer = net.layers().get(l);
            int out = layer.bias().length;
            z[l] = new float[out];
            float[] next = new float[out];
            for (int o = 0; o < out; o++) {
                float s = order == 1 ? layer.bias()[o] : 0f;
                for (int j = 0; j < h.length; j++) {
                    int i = order == 2 ? h.length - 1 - j : j;
                    s += layer.weight()[o][i] * h[i];
                }
                z[l][o] = order == 1 ? s : s + layer.bias()[o];
                next[o] = (float) layer.activation().apply(z[l][o], layer.alpha());
            }
            h = next;
        }
        return z;
    }
}
