package dev.engram.verify.bounds;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * {@link BoundNetwork#execute} (the falsifier's float32 execution: axpy loops, zero inputs left out) gives the bits of
 * the reference definition {@link DenseNetwork#evaluate} on random networks of every activation, inputs with exact
 * zeros, signed zeros, weights of mixed magnitudes, and now and then a non-finite weight (then no input is left out).
 * Every NaN counts as the same value (Java leaves a NaN's sign and payload to the hardware and the JIT's operand order).
 */
class Float32ExecuteProperties {

    @Test
    void executeGivesTheReferenceBits() {
        qt().withExamples(400).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(7);
            DenseNetwork net = network(r, d);
            BoundNetwork bn = BoundNetwork.of(net);
            for (int s = 0; s < 50; s++) {
                float[] x = new float[d];
                for (int i = 0; i < d; i++) {
                    int k = r.nextInt(5);
                    x[i] = k == 0 ? 0f : k == 1 ? -0f : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
                }
                float[] want = net.evaluate(x.clone());
                float[] got = bn.execute(x.clone());
                assertEquals(want.length, got.length);
                for (int o = 0; o < want.length; o++) {
                    assertEquals(Float.floatToIntBits(want[o]), Float.floatToIntBits(got[o]),
                            "seed " + seed + ": output " + o + " " + got[o] + " != " + want[o]);
                }
                if (bn.unsupported() == null) { // the falsifier's double pass: outputs as evaluate gives them
                    double[] xd = new double[d];
                    for (int i = 0; i < d; i++) {
                        xd[i] = x[i];
                    }
                    double[] y = bn.evaluate(xd);
                    double[] y2 = bn.outputs(bn.preActivations(xd));
                    for (int o = 0; o < y.length; o++) {
                        assertEquals(Double.doubleToLongBits(y[o]), Double.doubleToLongBits(y2[o]),
                                "seed " + seed + ": double output " + o);
                    }
                }
            }
        });
    }

    private static DenseNetwork network(Random r, int d) {
        Activation[] acts = Activation.values();
        int layers = 1 + r.nextInt(4);
        List<DenseLayer> ls = new ArrayList<>();
        int in = d;
        for (int l = 0; l < layers; l++) {
            int out = l == layers - 1 ? 1 + r.nextInt(4) : 1 + r.nextInt(40);
            float[][] w = new float[out][in];
            float[] b = new float[out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    int k = r.nextInt(60);
                    w[o][i] = k == 0 ? 0f : k == 1 ? -0f : k == 2 && r.nextInt(10) == 0 ? Float.POSITIVE_INFINITY
                            : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2));
                }
                b[o] = (float) r.nextGaussian();
            }
            Activation a = l == layers - 1 ? Activation.IDENTITY : acts[r.nextInt(acts.length)];
            ls.add(new DenseLayer("l" + l, w, b, a, a == Activation.LEAKY_RELU ? 0.01 + 0.3 * r.nextDouble() : 0,
                    null, null));
            in = out;
        }
        return new DenseNetwork(ls);
    }
}
