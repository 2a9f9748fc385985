package dev.engram.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random dense ReLU networks, for property tests, generated examples and benchmarks: Gaussian weights
 * scaled by {@code 1/sqrt(fan-in)}, Gaussian biases scaled by {@code biasScale}, ReLU hidden layers and an identity
 * output layer. The random stream is consumed layer by layer, row by row (weights, then the row's bias), so the same
 * generator always yields the same network.
 */
public final class DenseNetworks {
    private DenseNetworks() {
    }

    /**
     * A network with layer widths {@code widths[0]} (inputs) to {@code widths[last]} (outputs); layers are named
     * {@code prefix + index}.
     */
    public static DenseNetwork random(Random r, String prefix, double biasScale, int... widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("a network needs an input width and at least one layer width");
        }
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            float[][] w = new float[out][in];
            float[] b = new float[out];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    w[o][i] = (float) (r.nextGaussian() / Math.sqrt(in));
                }
                b[o] = (float) (biasScale * r.nextGaussian());
            }
            boolean last = l + 2 == widths.length;
            layers.add(DenseLayer.of(prefix + l, w, b, last ? Activation.IDENTITY : Activation.RELU));
        }
        return new DenseNetwork(layers);
    }
}
