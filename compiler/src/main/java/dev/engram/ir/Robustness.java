package dev.engram.ir;

import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * "Over this box the decision is {@code label}" as a verification property, in VNN-COMP's robustness form: the unsafe
 * set is the disjunction over {@code j ≠ label} of {@code Y_j ≥ Y_label} (a tie is unsafe: the label must win
 * strictly). The same form VNN-LIB robustness specifications have, so either spelling reaches the same lowering.
 */
public final class Robustness {
    private Robustness() {
    }

    /** The property that every input of {@code region} is classified as {@code label} among {@code outputs}. */
    public static Property property(String name, Box region, int label, int outputs) {
        if (label < 0 || label >= outputs) {
            throw new IllegalArgumentException("label " + label + " is not one of the " + outputs + " outputs");
        }
        List<List<LinearConstraint>> unsafe = new ArrayList<>();
        for (int j = 0; j < outputs; j++) {
            if (j != label) {
                double[] c = new double[outputs];
                c[label] = 1;
                c[j] = -1;
                unsafe.add(List.of(new LinearConstraint(c, 0))); // Y_label - Y_j <= 0
            }
        }
        return new Property(name, InputRegion.of(region), unsafe);
    }

    /**
     * The label of a robustness property: the output every conjunction compares against, when the unsafe set is
     * exactly {@code Y_j ≥ Y_label} for every {@code j ≠ label} (each conjunction one constraint
     * {@code a·(Y_label − Y_j) ≤ 0}, {@code a > 0}); empty for any other property.
     */
    public static OptionalInt label(Property p, int outputs) {
        if (p.unsafe().size() != outputs - 1 || outputs < 2) {
            return OptionalInt.empty();
        }
        int label = -1;
        boolean[] seen = new boolean[outputs];
        for (List<LinearConstraint> conj : p.unsafe()) {
            if (conj.size() != 1 || conj.get(0).coefficients().length != outputs || conj.get(0).bound() != 0) {
                return OptionalInt.empty();
            }
            double[] c = conj.get(0).coefficients();
            int pos = -1;
            int neg = -1;
            for (int k = 0; k < outputs; k++) {
                if (c[k] > 0 && pos < 0) {
                    pos = k;
                } else if (c[k] < 0 && neg < 0) {
                    neg = k;
                } else if (c[k] != 0) {
                    return OptionalInt.empty();
                }
            }
            if (pos < 0 || neg < 0 || c[pos] != -c[neg] || (label >= 0 && pos != label) || seen[neg]) {
                return OptionalInt.empty();
            }
            label = pos;
            seen[neg] = true;
        }
        return OptionalInt.of(label);
    }
}
