package dev.engram.train;

import dev.engram.data.Dataset;
import dev.engram.model.DenseNetwork;

/** Classification figures of a network on a dataset (float32 evaluation, decision = argmax of the outputs). */
public final class Metrics {
    private Metrics() {
    }

    /** The argmax decision of the network for every row (ties go to the lowest index). */
    public static int[] predict(DenseNetwork net, float[][] x) {
        int[] p = new int[x.length];
        for (int r = 0; r < x.length; r++) {
            p[r] = argmax(net.evaluate(x[r]));
        }
        return p;
    }

    /** Share of rows whose decision is the label. */
    public static double accuracy(DenseNetwork net, Dataset data) {
        return accuracy(predict(net, data.x()), data.y());
    }

    /** Share of equal entries. */
    public static double accuracy(int[] predicted, int[] labels) {
        if (predicted.length != labels.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + labels.length + " labels");
        }
        if (labels.length == 0) {
            return Double.NaN;
        }
        int ok = 0;
        for (int r = 0; r < labels.length; r++) {
            if (predicted[r] == labels[r]) {
                ok++;
            }
        }
        return (double) ok / labels.length;
    }

    /** Share of rows whose decision differs between two prediction vectors. */
    public static double changed(int[] a, int[] b) {
        return 1 - accuracy(a, b);
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
