package dev.engram.api;

import dev.engram.ast.Consequent;

/**
 * What must hold of a model's outputs: the {@code then} of a rule, the {@code ensure} of a property. Made by
 * {@link Conditions}; the same syntax tree the rule language's parser builds.
 */
public interface Outcome {
    /** The outcome as the rule language's syntax tree. */
    Consequent consequent();
}
