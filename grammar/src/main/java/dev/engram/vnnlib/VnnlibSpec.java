package dev.engram.vnnlib;

import dev.engram.source.Span;

import java.util.List;
import java.util.Map;

/**
 * A parsed VNN-LIB file: the declared real constants (in order) and the asserted formulas. The property it states
 * is the conjunction of all assertions; a model satisfying it is a counterexample.
 */
public record VnnlibSpec(String path, List<Declaration> declarations, List<Formula> assertions) {
    public VnnlibSpec {
        declarations = List.copyOf(declarations);
        assertions = List.copyOf(assertions);
    }

    /** {@code (declare-const NAME SORT)}. */
    public record Declaration(String name, String sort, Span span) {
    }

    /** A boolean formula: a linear comparison, or a conjunction/disjunction of formulas. */
    public sealed interface Formula permits Comparison, And, Or {
        Span span();
    }

    /** Relations of a comparison {@code expression REL 0}. */
    public enum Relation { LE, GE, LT, GT, EQ }

    /**
     * A linear comparison normalised to {@code sum(coefficients[v] * v) + constant REL 0}.
     * Coefficients are keyed by declared variable name, in order of first appearance.
     */
    public record Comparison(Map<String, Double> coefficients, double constant, Relation relation, Span span)
            implements Formula {
        public Comparison {
            coefficients = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(coefficients));
        }
    }

    public record And(List<Formula> operands, Span span) implements Formula {
        public And {
            operands = List.copyOf(operands);
        }
    }

    public record Or(List<Formula> operands, Span span) implements Formula {
        public Or {
            operands = List.copyOf(operands);
        }
    }
}
