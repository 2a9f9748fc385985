package dev.engram.lower.repair;

import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one repair works on, numbered as one list: the rules it enforces ({@code 0 .. rules-1}), then the properties
 * it keeps ({@code rules .. size-1}): properties that held before the repair and must hold after it. Each goal's
 * unsafe set is also held simplified ({@link UnsafeSets#simplify}: the same set, fewer conjunctions), which is what
 * the linear program refutes; validation proves the properties as given, or with the simplified set where that is
 * exactly the same set ({@link UnsafeSets#sameSet}), which the verifier bounds once per conjunction, so fewer is
 * faster. {@code movable}: kept goals refuted like rules where they have no room ({@link #movable(Set)}).
 */
record Goals(List<Property> rules, List<Property> kept, List<List<List<LinearConstraint>>> unsafe,
             Set<Integer> movable) {

    Goals {
        rules = List.copyOf(rules);
        kept = List.copyOf(kept);
        unsafe = List.copyOf(unsafe);
        movable = Set.copyOf(movable);
    }

    static Goals of(List<Property> rules, List<Property> kept) {
        List<List<List<LinearConstraint>>> unsafe = new ArrayList<>();
        for (Property p : rules) {
            unsafe.add(UnsafeSets.simplify(p.unsafe()));
        }
        for (Property p : kept) {
            unsafe.add(UnsafeSets.simplify(p.unsafe()));
        }
        return new Goals(rules, kept, unsafe, Set.of());
    }

    /**
     * The same goals with the kept goals {@code g} also movable: where the original's bounds do not refute them with
     * room, the program refutes them like a rule (the change may move their outputs, as far as the sound bounds
     * still refute the unsafe set with the clearance) instead of forbidding any move toward their unsafe set.
     */
    Goals movable(Set<Integer> g) {
        Set<Integer> all = new java.util.HashSet<>(movable);
        all.addAll(g);
        return new Goals(rules, kept, unsafe, all);
    }

    /** True when goal {@code g} is kept by forbidding moves toward its unsafe set where it has no room. */
    boolean isFixed(int g) {
        return isKept(g) && !movable.contains(g);
    }

    int size() {
        return rules.size() + kept.size();
    }

    /** Goal {@code g}'s property as given. */
    Property get(int g) {
        return g < rules.size() ? rules.get(g) : kept.get(g - rules.size());
    }

    /** True when goal {@code g} is a property to keep (it held before the repair), false for a rule. */
    boolean isKept(int g) {
        return g >= rules.size();
    }

    /** Goal {@code g}'s unsafe set, simplified: the conjunctions its subdomains refute. */
    List<List<LinearConstraint>> unsafe(int g) {
        return unsafe.get(g);
    }

    /**
     * Goal {@code g}'s property as the verifier proves it: with the simplified unsafe set when that is exactly the
     * same set, else as given.
     */
    Property validated(int g) {
        Property p = get(g);
        List<List<LinearConstraint>> simple = unsafe(g);
        if (simple.size() < p.unsafe().size() && UnsafeSets.sameSet(simple, p.unsafe())) {
            return new Property(p.name(), p.region(), simple);
        }
        return p;
    }

    /** All goals' properties as given, in goal order. */
    List<Property> all() {
        List<Property> all = new ArrayList<>(rules);
        all.addAll(kept);
        return all;
    }
}
