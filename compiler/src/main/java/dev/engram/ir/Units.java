package dev.engram.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How model-unit vectors read in the rule file's real units, for people: named inputs with their units (a one-hot
 * block shown as its hottest value) and named outputs. Without a rule file ({@link #none()}) the VNN-LIB names
 * {@code X_i}/{@code Y_j} are used.
 */
public record Units(List<Input> inputs, List<Output> outputs) {
    public Units {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * A named input over model slots {@code index .. index + width - 1}: a real input ({@code model = real * scale +
     * offset}, domain {@code [lo, hi]} in real units) or a categorical one (one slot per value).
     */
    public record Input(String name, int index, int width, boolean categorical, List<String> values, double lo,
                        double hi, String unit, double scale, double offset) {
        public Input {
            values = List.copyOf(values);
            unit = unit == null ? "" : unit;
        }

        /** The model slots of this input: its index, or its whole one-hot block. */
        public int[] slots() {
            int[] s = new int[width];
            for (int k = 0; k < width; k++) {
                s[k] = index + k;
            }
            return s;
        }

        /**
         * The input's expected value in model units when it is spread uniformly over its declared domain: the
         * midpoint for a real input, {@code 1/k} per slot for a categorical input of {@code k} values. This is what
         * {@code ignore} folds into the first layer by default.
         */
        public double[] expected() {
            double[] e = new double[width];
            java.util.Arrays.fill(e, categorical ? 1.0 / width : (modelLo() + modelHi()) / 2);
            return e;
        }

        /** The declared domain's lower end in model units (0 for a categorical input's slots). */
        public double modelLo() {
            return categorical ? 0 : Math.min(lo * scale + offset, hi * scale + offset);
        }

        /** The declared domain's upper end in model units (1 for a categorical input's slots). */
        public double modelHi() {
            return categorical ? 1 : Math.max(lo * scale + offset, hi * scale + offset);
        }
    }

    /** A named output with {@code model = real * scale + offset}. */
    public record Output(String name, int index, double scale, double offset) {
    }

    public static Units none() {
        return new Units(List.of(), List.of());
    }

    /** {@code rho = 56000 ft, sex = female, ...} for a model-unit input vector. */
    public String inputs(double[] x) {
        if (inputs.isEmpty()) {
            return indexed("X_", x);
        }
        List<String> parts = new ArrayList<>();
        for (Input in : inputs) {
            if (in.categorical()) {
                int best = 0;
                for (int k = 1; k < in.width(); k++) {
                    if (x[in.index() + k] > x[in.index() + best]) {
                        best = k;
                    }
                }
                parts.add(in.name() + " = " + in.values().get(best));
            } else {
                double real = (x[in.index()] - in.offset()) / in.scale();
                parts.add(in.name() + " = " + fmt(real) + (in.unit().isEmpty() ? "" : " " + in.unit()));
            }
        }
        return String.join(", ", parts);
    }

    /** {@code COC = 12.5, WL = ...} for a model-unit output vector. */
    public String outputs(double[] y) {
        if (outputs.isEmpty()) {
            return indexed("Y_", y);
        }
        List<String> parts = new ArrayList<>();
        for (Output o : outputs) {
            parts.add(o.name() + " = " + fmt((y[o.index()] - o.offset()) / o.scale()));
        }
        return String.join(", ", parts);
    }

    private static String indexed(String prefix, double[] v) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            parts.add(prefix + i + " = " + fmt(v[i]));
        }
        return String.join(", ", parts);
    }

    public static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
