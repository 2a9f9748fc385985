package dev.engram.api;

import dev.engram.ast.Premise;

/**
 * A condition over a model's inputs, in real units: the {@code when} of a rule, the {@code over} of a property, a
 * concept's definition. Made by {@link Conditions}; the same syntax tree the rule language's parser builds.
 */
public interface Condition {
    /** The condition as the rule language's syntax tree. */
    Premise premise();
}
