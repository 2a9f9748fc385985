package dev.engram.ast;

import dev.engram.source.Span;
import java.util.List;

/** What must hold of the outputs (the "then" of a rule, the "ensure" of a property). */
public sealed interface Consequent extends Node {
    /** Disjunction of two or more consequents. */
    record Or(List<Consequent> items, Span span) implements Consequent {
        public Or {
            items = List.copyOf(items);
        }
    }

    /** Conjunction of two or more consequents. */
    record And(List<Consequent> items, Span span) implements Consequent {
        public And {
            items = List.copyOf(items);
        }
    }

    /** {@code OUTPUT is [not] [the] decision|maximal|minimal}. */
    record Predicate(Name output, boolean negated, PredKind kind, Span span) implements Consequent { }

    /** A (possibly chained) comparison of linear expressions over outputs. */
    record Compare(List<Expr> operands, List<CmpOp> ops, Span span) implements Consequent {
        public Compare {
            operands = List.copyOf(operands);
            ops = List.copyOf(ops);
        }
    }

    /** What an output predicate talks about: the decision (per {@code decide}), or the extreme scores. */
    enum PredKind { DECISION, MAXIMAL, MINIMAL }
}
