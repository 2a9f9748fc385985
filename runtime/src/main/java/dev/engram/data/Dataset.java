package dev.engram.data;

import java.util.List;
import java.util.Objects;

/**
 * Encoded examples: {@code x[r]} the model inputs of row {@code r} (float32, as fed to the model) and {@code y[r]}
 * the index of its class in {@code classes}. Arrays are treated as immutable.
 */
public record Dataset(float[][] x, int[] y, List<String> classes) {

    public Dataset {
        Objects.requireNonNull(x);
        Objects.requireNonNull(y);
        classes = List.copyOf(classes);
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " rows but " + y.length + " labels");
        }
        for (int label : y) {
            if (label < 0 || label >= classes.size()) {
                throw new IllegalArgumentException("label " + label + " outside the " + classes.size() + " classes");
            }
        }
    }

    public int rows() {
        return x.length;
    }

    /** Input width (0 for an empty dataset). */
    public int width() {
        return x.length == 0 ? 0 : x[0].length;
    }

    /** The first {@code n} rows (all when {@code n >= rows()}). */
    public Dataset head(int n) {
        int k = Math.min(n, rows());
        return new Dataset(java.util.Arrays.copyOf(x, k), java.util.Arrays.copyOf(y, k), classes);
    }
}
