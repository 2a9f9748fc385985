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
    final List<float[]> inputs = new ArrayList<>();
    private int[] before;

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
            k.inputs.add(x);
            k.features.add(h);
            k.decisions.add(d);
            k.margins.add(PointRepair.margin(z, d));
        }
        return k;
    }

    /**
     * How many kept inputs {@code cand} decides differently from {@code net} (the index of the largest output, both
     * executed in float32): the drawdown measured on the kept set.
     */
    int flips(DenseNetwork net, DenseNetwork cand) {
        if (before == null) {
            before = new int[inputs.size()];
            for (int s = 0; s < before.length; s++) {
                before[s] = argmax(net.evaluate(inputs.get(s)));
            }
        }
        int n = 0;
        for (int s = 0; s < before.length; s++) {
            n += argmax(cand.evaluate(inputs.get(s))) != before[s] ? 1 : 0;
        }
        return n;
    }

    /**
     * How far {@code cand} moves the kept inputs' outputs, on average relative to their size ({@code Σ|y' − y| / Σ|y|}
     * per input, in float32 execution): the tie-break between changes that flip as many kept decisions.
     */
    double drift(DenseNetwork net, DenseNetwork cand) {
        double s = 0;
        for (float[] x : inputs) {
            float[] a = net.evaluate(x);
            float[] b = cand.evaluate(x);
            double num = 0;
            double den = 1e-9;
            for (int j = 0; j < a.length; j++) {
                num += Math.abs(b[j] - a[j]);
                den += Math.abs(a[j]);
            }
            s += num / den;
        }
        return inputs.isEmpty() ? 0 : s / inputs.size();
    }

    static int argmax(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] > y[k]) {
                k = j;
            }
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
