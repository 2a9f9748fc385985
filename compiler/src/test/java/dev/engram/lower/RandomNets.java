package dev.engram.lower;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random ReLU classifiers for the lowerings' property tests. */
public final class RandomNets {
    private RandomNets() {
    }

    /**
     * A ReLU network with {@code in} inputs and {@code outs} linear outputs: {@code minHidden + r.nextInt(hiddenChoices)}
     * hidden layers of {@code minWidth + r.nextInt(widthChoices)} units each, weights {@code N(0, 1/fan-in)}, biases
     * {@code N(0, 0.09)}.
     */
    public static DenseNetwork relu(Random r, int in, int outs, int minHidden, int hiddenChoices, int minWidth,
                                    int widthChoices) {
        int hidden = minHidden + r.nextInt(hiddenChoices);
        List<DenseLayer> layers = new ArrayList<>();
        int prev = in;
        for (int l = 0; l <= hidden; l++) {
            boolean last = l == hidden;
            int width = last ? outs : minWidth + r.nextInt(widthChoices);
            float[][] w = new float[width][prev];
            float[] b = new float[width];
            for (int o = 0; o < width; o++) {
                for (int i = 0; i < prev; i++) {
                    w[o][i] = (float) (r.nextGaussian() / Math.sqrt(prev));
                }
                b[o] = (float) (0.3 * r.nextGaussian());
            }
            layers.add(new DenseLayer("l" + l, w, b, last ? Activation.IDENTITY : Activation.RELU, 0, null, null));
            prev = width;
        }
        return new DenseNetwork(layers);
    }
}
