package dev.engram.check;

import java.util.List;

/**
 * One disjunct of a premise in disjunctive normal form: a box {@code lo <= x <= hi} over the model's input
 * slots, intersected with linear constraints, plus literals on learned concepts (which only the model's
 * activations can decide). The premise is the union of its cases. In a {@link CheckedRule} the units are the rule
 * file's real units; the front end maps cases to model units.
 */
public record PremiseCase(double[] lo, double[] hi, List<Linear> constraints, List<ConceptLiteral> learned) {
    public PremiseCase {
        lo = lo.clone();
        hi = hi.clone();
        constraints = List.copyOf(constraints);
        learned = List.copyOf(learned);
    }

    /** A learned concept ({@code concept X from "data"}) required to hold ({@code negated == false}) or not. */
    public record ConceptLiteral(String concept, boolean negated) { }
}
