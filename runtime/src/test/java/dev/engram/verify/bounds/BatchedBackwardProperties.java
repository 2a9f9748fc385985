package dev.engram.verify.bounds;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.RandomNets;
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
 * The batched backward pass that tightens a layer's unstable neurons ({@link BackwardPass#units}), on random
 * ReLU and leaky-ReLU networks and boxes: it equals the per-neuron pass ({@link LinearBounds#backward}) value for
 * value (coefficients and constant, compared bit for bit), and the functions it returns lie below the layer's
 * pre-activations as executed in float32 at sampled inputs (compared exactly, in {@code BigDecimal}).
 */
class BatchedBackwardProperties {

    @Test
    void batchedPassEqualsThePerNeuronPass() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = network(r);
            BoundNetwork bn = BoundNetwork.of(net);
            double[][] box = box(r, bn.sizes[0]);
            LinearBounds b = LinearBounds.forward(bn, box[0], box[1], true);
            for (int l = 0; l < bn.layers; l++) {
                int out = bn.sizes[l + 1];
                Rows rows = Rows.random(r, out);
                int[] units = rows.units();
                double[] signs = rows.signs();
                LinearBounds.Linear[] batched = BackwardPass.units(b, l, units, signs);
                for (int k = 0; k < units.length; k++) {
                    double[] e = new double[out];
                    e[units[k]] = signs[k];
                    LinearBounds.Linear one = b.backward(l, e, null, null);
                    assertEquals(one.constant(), batched[k].constant(), 0.0, "seed " + seed + ": constant");
                    for (int i = 0; i < one.coef().length; i++) {
                        assertEquals(Double.doubleToLongBits(one.coef()[i]),
                                Double.doubleToLongBits(batched[k].coef()[i]), "seed " + seed + ": coefficient");
                    }
                }
            }
        });
    }

    @Test
    void batchedFunctionsLieBelowSampledPreActivations() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = network(r);
            BoundNetwork bn = BoundNetwork.of(net);
            int d = bn.sizes[0];
            double[][] box = box(r, d);
            LinearBounds b = LinearBounds.forward(bn, box[0], box[1], true);
            for (int l = 0; l < bn.layers; l++) {
                int out = bn.sizes[l + 1];
                int[] units = new int[out];
                double[] signs = new double[out];
                for (int o = 0; o < out; o++) {
                    units[o] = o;
                    signs[o] = r.nextBoolean() ? 1 : -1;
                }
                LinearBounds.Linear[] fs = BackwardPass.units(b, l, units, signs);
                for (int s = 0; s < 50; s++) {
                    float[] x = sample(r, box);
                    float[] z = preActivations(net, x, l);
                    for (int o = 0; o < out; o++) {
                        BigDecimal f = new BigDecimal(fs[o].constant());
                        for (int i = 0; i < d; i++) {
                            f = f.add(new BigDecimal(fs[o].coef()[i]).multiply(new BigDecimal(x[i])));
                        }
                        BigDecimal v = new BigDecimal(signs[o]).multiply(new BigDecimal(z[o]));
                        assertTrue(v.compareTo(f) >= 0, "seed " + seed + ": layer " + l + " unit " + o);
                        assertTrue(z[o] >= b.lo[l][o] && z[o] <= b.hi[l][o], "seed " + seed + ": bounds");
                    }
                }
            }
        });
    }

    /** Tightening rows of a layer: units (repeats allowed) with signs. */
    record Rows(int[] units, double[] signs) {
        /** Up to {@code out} random rows of a layer of {@code out} units. */
        static Rows random(Random r, int out) {
            int[] units = new int[r.nextInt(out + 1)];
            double[] signs = new double[units.length];
            for (int k = 0; k < units.length; k++) {
                units[k] = r.nextInt(out);
                signs[k] = r.nextBoolean() ? 1 : -1;
            }
            return new Rows(units, signs);
        }
    }

    /** One to four hidden layers of 2 to 40 ReLU or leaky-ReLU units, then 1 to 4 linear outputs. */
    static DenseNetwork network(Random r) {
        int in = 1 + r.nextInt(6);
        int depth = 1 + r.nextInt(4);
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l <= depth; l++) {
            boolean last = l == depth;
            int out = last ? 1 + r.nextInt(4) : 2 + r.nextInt(39);
            float[][] w = new float[out][in];
            float[] bias = new float[out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    w[o][i] = (float) (r.nextGaussian() / Math.sqrt(in));
                }
                bias[o] = (float) (0.3 * r.nextGaussian());
            }
            boolean leaky = r.nextInt(4) == 0;
            Activation act = last ? Activation.IDENTITY : leaky ? Activation.LEAKY_RELU : Activation.RELU;
            layers.add(new DenseLayer("l" + l, w, bias, act, leaky ? 0.01 + 0.2 * r.nextDouble() : 0, null, null));
            in = out;
        }
        return new DenseNetwork(layers);
    }

    /** {@link RandomNets#box(Random, int, double)} of spread 0.7, as {lo, hi}. */
    static double[][] box(Random r, int d) {
        Box box = RandomNets.box(r, d, 0.7);
        return new double[][] {box.lo(), box.hi()};
    }

    static float[] sample(Random r, double[][] box) {
        float[] x = new float[box[0].length];
        for (int i = 0; i < x.length; i++) {
            float v = (float) (box[0][i] + r.nextDouble() * (box[1][i] - box[0][i]));
            x[i] = (float) Math.min(Math.max(v, Math.nextUp((float) box[0][i])), Math.nextDown((float) box[1][i]));
            if (x[i] < box[0][i] || x[i] > box[1][i]) {
                x[i] = (float) (0.5 * (box[0][i] + box[1][i]));
            }
        }
        return x;
    }

    /** The pre-activations of layer {@code top}, executed in float32 (sequential sums, bias first). */
    private static float[] preActivations(DenseNetwork net, float[] x, int top) {
        float[] h = x;
        for (int l = 0; ; l++) {
            DenseLayer layer = net.layers().get(l);
            float[] z = new float[layer.bias().length];
            for (int o = 0; o < z.length; o++) {
                float s = layer.bias()[o];
                for (int i = 0; i < h.length; i++) {
                    s += layer.weight()[o][i] * h[i];
                }
                z[o] = s;
            }
            if (l == top) {
                return z;
            }
            h = new float[z.length];
            for (int o = 0; o < z.length; o++) {
                h[o] = (float) layer.activation().apply(z[o], layer.alpha());
            }
        }
    }
}
