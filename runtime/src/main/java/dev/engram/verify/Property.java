package dev.engram.verify;

import java.util.List;

/**
 * A verification problem in VNN-COMP's sense: over {@code region}, can the outputs enter the unsafe set?
 * The unsafe set is a disjunction of conjunctions of linear constraints over the outputs (model units):
 * {@code unsafe.get(k)} is one conjunction. {@code unsat} means the property holds.
 */
public record Property(String name, InputRegion region, List<List<LinearConstraint>> unsafe) {
    public Property {
        unsafe = unsafe.stream().map(List::copyOf).toList();
    }

    /** True when output {@code y} lies in the unsafe set, with {@code tolerance} slack on each constraint. */
    public boolean isUnsafe(double[] y, double tolerance) {
        for (List<LinearConstraint> conj : unsafe) {
            boolean all = true;
            for (LinearConstraint c : conj) {
                if (!c.holds(y, tolerance)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** True when output {@code y} lies in the unsafe set in exact arithmetic (no tolerance, no rounding). */
    public boolean isUnsafeExactly(double[] y) {
        for (List<LinearConstraint> conj : unsafe) {
            if (conj.stream().allMatch(c -> c.holdsExactly(y))) {
                return true;
            }
        }
        return false;
    }
}
