package dev.engram.compile;

import dev.engram.check.CheckedProgram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns model-unit vectors back into the rule file's real units for people: named inputs with their units
 * (a one-hot block shown as its hottest value), named outputs. Without a rule file ({@link #none()}) the
 * VNN-LIB names {@code X_i}/{@code Y_j} are used.
 */
public record Units(List<CheckedProgram.Input> inputs, List<CheckedProgram.Output> outputs) {
    public Units {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public static Units none() {
        return new Units(List.of(), List.of());
    }

    public static Units of(CheckedProgram p) {
        return new Units(p.inputs(), p.outputs());
    }

    /** {@code rho = 56000 ft, sex = female, ...} for a model-unit input vector. */
    public String inputs(double[] x) {
        if (inputs.isEmpty()) {
            return indexed("X_", x);
        }
        List<String> parts = new ArrayList<>();
        for (CheckedProgram.Input in : inputs) {
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
                parts.add(in.name() + " = " + fmt(real) + (in.unit() == null || in.unit().isEmpty() ? "" : " " + in.unit()));
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
        for (CheckedProgram.Output o : outputs) {
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

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
