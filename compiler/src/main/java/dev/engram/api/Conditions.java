package dev.engram.api;

import dev.engram.ast.Consequent;
import dev.engram.ast.Name;
import dev.engram.ast.Premise;
import dev.engram.source.Span;

import java.util.Arrays;
import java.util.List;

/**
 * The words of rules, as static factories (import them statically): conditions over inputs
 * ({@code lt("age", 18)}, {@code is("sex", "female")}, {@code and(...)}) and outcomes over outputs
 * ({@code notDecision("approve")}, {@code x("reject").minus(x("approve")).ge(50)}). Each means what the same words
 * mean in a rule file ({@code docs/language.md}, sections 3 and 4).
 */
public final class Conditions {
    private Conditions() {
    }

    /** An input or output by name, for linear expressions: {@code x("amount").gt(x("income").times(0.5))}. */
    public static Linear x(String name) {
        return Linear.of(name);
    }

    /** {@code input < v}. */
    public static Comparison lt(String input, double v) {
        return x(input).lt(v);
    }

    /** {@code input <= v}. */
    public static Comparison le(String input, double v) {
        return x(input).le(v);
    }

    /** {@code input > v}. */
    public static Comparison gt(String input, double v) {
        return x(input).gt(v);
    }

    /** {@code input >= v}. */
    public static Comparison ge(String input, double v) {
        return x(input).ge(v);
    }

    /** {@code input = v}. */
    public static Comparison eq(String input, double v) {
        return x(input).eq(v);
    }

    /** {@code input in [lo, hi]}. */
    public static Condition between(String input, double lo, double hi) {
        Premise p = new Premise.InInterval(x(input).expr(), Linear.of(lo).expr(), Linear.of(hi).expr(), Span.NONE);
        return () -> p;
    }

    /** {@code input is value}: a categorical input's value. */
    public static Condition is(String input, String value) {
        Premise p = new Premise.IsValue(name(input), false, name(value), Span.NONE);
        return () -> p;
    }

    /** {@code input is not value}. */
    public static Condition isNot(String input, String value) {
        Premise p = new Premise.IsValue(name(input), true, name(value), Span.NONE);
        return () -> p;
    }

    /** A concept declared with {@code Rules.Builder.concept}. */
    public static Condition concept(String name) {
        Premise p = new Premise.ConceptRef(name(name), Span.NONE);
        return () -> p;
    }

    public static Condition and(Condition... all) {
        Premise p = all.length == 1 ? all[0].premise() : new Premise.And(premises(all), Span.NONE);
        return () -> p;
    }

    public static Condition or(Condition... any) {
        Premise p = any.length == 1 ? any[0].premise() : new Premise.Or(premises(any), Span.NONE);
        return () -> p;
    }

    public static Condition not(Condition c) {
        Premise p = new Premise.Not(c.premise(), Span.NONE);
        return () -> p;
    }

    /** {@code output is the decision} (needs {@code decideArgmax()} or {@code decideArgmin()}). */
    public static Outcome decision(String output) {
        return predicate(output, false, Consequent.PredKind.DECISION);
    }

    /** {@code output is not the decision}. */
    public static Outcome notDecision(String output) {
        return predicate(output, true, Consequent.PredKind.DECISION);
    }

    /** {@code output is maximal}. */
    public static Outcome maximal(String output) {
        return predicate(output, false, Consequent.PredKind.MAXIMAL);
    }

    /** {@code output is not maximal}. */
    public static Outcome notMaximal(String output) {
        return predicate(output, true, Consequent.PredKind.MAXIMAL);
    }

    /** {@code output is minimal}. */
    public static Outcome minimal(String output) {
        return predicate(output, false, Consequent.PredKind.MINIMAL);
    }

    /** {@code output is not minimal}. */
    public static Outcome notMinimal(String output) {
        return predicate(output, true, Consequent.PredKind.MINIMAL);
    }

    /** Every outcome must hold ({@code and} in a consequent). */
    public static Outcome all(Outcome... all) {
        Consequent c = all.length == 1 ? all[0].consequent() : new Consequent.And(consequents(all), Span.NONE);
        return () -> c;
    }

    /** At least one outcome must hold ({@code or} in a consequent). */
    public static Outcome any(Outcome... any) {
        Consequent c = any.length == 1 ? any[0].consequent() : new Consequent.Or(consequents(any), Span.NONE);
        return () -> c;
    }

    private static Outcome predicate(String output, boolean negated, Consequent.PredKind kind) {
        Consequent c = new Consequent.Predicate(name(output), negated, kind, Span.NONE);
        return () -> c;
    }

    private static Name name(String text) {
        return new Name(text, Span.NONE);
    }

    private static List<Premise> premises(Condition[] cs) {
        return Arrays.stream(cs).map(Condition::premise).toList();
    }

    private static List<Consequent> consequents(Outcome[] os) {
        return Arrays.stream(os).map(Outcome::consequent).toList();
    }
}
