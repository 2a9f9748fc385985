package dev.engram.lower.points;

import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The inputs whose decisions the repair holds (training or held-out data, in model units): at most {@code max} of
 * them, drawn without replacement with {@code seed}, each with its features and its decision before the change (the
 * index of the largest output). Rows for them enter the LP lazily, only once a candidate change flips them.
 */
final class KeepSet {
    final List<double[]> features = new ArrayList<>();
    final List<Integer> decisions = new ArrayList<>();
    final List<Double> margins = new ArrayList<>();

    static KeepSet of(DenseNetwork net, Features f, List<float[]> inputs, int max, long seed) {
        KeepSet k = new KeepSet();
        List<float[]> chosen = new ArrayList<>(inputs);
        if (chosen.size() > max) {
            java.util.Collections.shuffle(chosen, new Random(seed));
            chosen = chosen.subList(0, max);
        }
        var out = net.layers().get(net.layers().size() - 1);
        for (float[] x : chosen) {
            double[] h = toDouble(f.at(x));
            double[] z = PointRepair.logits(out, h, null);
            int d = PointRepair.argmax(z);
            k.features.add(h);
            k.decisions.add(d);
            k.margins.add(PointRepair.margin(z, d));
        }
        return k;
    }

    int size() {
        return features.size();
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
