package dev.engram.lower.repair;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;

/**
 * How a candidate of the repair is validated when the repaired network is a part of a larger model (the dense head of
 * a convolutional network): the verifier on that model with the candidate in place, on each goal as stated over the
 * model's own inputs, instead of the verifier on the network alone over the goal's region ({@link
 * PartitionValidation}). A goal's region on the part is an over-approximation (a box enclosing what the rest of the
 * model can feed it); a property to keep may not hold there even for the original part, so validating it there can
 * neither be proved nor, often, refuted within any time; on the model it is the statement the repair must keep.
 */
@FunctionalInterface
public interface GoalValidation {

    /**
     * What the verifier said on {@code goal} (a rule or a property to keep, as given to the repair: its region over the
     * part's inputs) with {@code candidate} in place, within {@code seconds}.
     */
    Outcome validate(DenseNetwork candidate, Property goal, double seconds);

    /**
     * The verdict, the property it was said on (over the model's inputs), and for a counterexample its value at the
     * part's input ({@code at}, where the repair refines its partition; null for another verdict) and whether the
     * original model violates the goal there too ({@code violatedBefore}: the repair never promised to keep it).
     */
    record Outcome(Verdict verdict, Property property, double[] at, boolean violatedBefore) {
    }
}
