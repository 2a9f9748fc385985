package dev.engram.verify;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small random ReLU networks and boxes for property tests of the bounds, the verifier and (through this module's test
 * jar) the compiler's lowerings.
 */
public final class RandomNets {
    private RandomNets() {
    }

    static DenseNetwork relu(long seed, int inputs, int outputs) {
        return relu(new Random(seed), inputs, outputs, 2, 11, 0.3, 0, 0);
    }

    /**
     * One to three ReLU layers of {@code minWidth} to {@code maxWidth} units, then {@code outputs} linear units. Each
     * unit draws a scale {@code s = 10^U(minLog10, maxLog10)}; its weights are {@code N(0, 1) s / sqrt(fan-in)}, its
     * bias {@code N(0, 1) s biasScale}.
     */
    static DenseNetwork relu(Random r, int inputs, int outputs, int minWidth, int maxWidth, double biasScale,
                             double minLog10, double maxLog10) {
        return relu(r, inputs, outputs, 1, 3, minWidth, maxWidth, biasScale, minLog10, maxLog10);
    }

    /**
     * {@code minHidden + r.nextInt(hiddenChoices)} ReLU layers of {@code minWidth} to {@code maxWidth} units, then
     * {@code outputs} linear units; weights {@code N(0, 1/fan-in)}, biases {@code N(0, 0.09)}.
     */
    public static DenseNetwork relu(Random r, int inputs, int outputs, int minHidden, int hiddenChoices, int minWidth,
                                    int maxWidth) {
        return relu(r, inputs, outputs, minHidden, hiddenChoices, minWidth, maxWidth, 0.3, 0, 0);
    }

    private static DenseNetwork relu(Random r, int inputs, int outputs, int minHidden, int hiddenChoices,
                                     int minWidth, int maxWidth, double biasScale, double minLog10, double maxLog10) {
        int depth = minHidden + r.nextInt(hiddenChoices);
        List<DenseLayer> layers = new ArrayList<>();
        int in = inputs;
        for (int l = 0; l <= depth; l++) {
            boolean last = l == depth;
            int out = last ? outputs : minWidth + r.nextInt(maxWidth - minWidth + 1);
            float[][] w = new float[out][in];
            float[] b = new float[out];
            for (int o = 0; o < out; o++) {
                double s = minLog10 == maxLog10 ? Math.pow(10, minLog10)
                        : Math.pow(10, minLog10 + (maxLog10 - minLog10) * r.nextDouble());
                for (int i = 0; i < in; i++) {
                    w[o][i] = (float) (r.nextGaussian() * s / Math.sqrt(in));
                }
                b[o] = (float) (biasScale * s * r.nextGaussian());
            }
            layers.add(new DenseLayer("l" + l, w, b, last ? Activation.IDENTITY : Activation.RELU, 0, null, null));
            in = out;
        }
        return new DenseNetwork(layers);
    }

    static Box box(long seed, int d) {
        Random r = new Random(seed * 31 + 7);
        double[] lo = new double[d];
        double[] hi = new double[d];
        for (int i = 0; i < d; i++) {
            double c = r.nextGaussian();
            double w = Math.abs(r.nextGaussian()) * 0.7 + 1e-3;
            lo[i] = c - w;
            hi[i] = c + w;
        }
        return new Box(lo, hi);
    }

    static float[] sample(Random r, Box b) {
        float[] x = new float[b.dimension()];
        for (int i = 0; i < x.length; i++) {
            double v = b.lo()[i] + r.nextDouble() * (b.hi()[i] - b.lo()[i]);
            x[i] = (float) Math.min(b.hi()[i], Math.max(b.lo()[i], v));
            if (x[i] < b.lo()[i]) {
                x[i] = Math.nextUp(x[i]);
            }
            if (x[i] > b.hi()[i]) {
                x[i] = Math.nextDown(x[i]);
            }
        }
        return x;
    }
}
