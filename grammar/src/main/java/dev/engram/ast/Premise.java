package dev.engram.ast;

import dev.engram.source.Span;
import java.util.List;

/** A condition over the inputs (the "when" of a rule, the "over" of a property, a concept's body). */
public sealed interface Premise extends Node {
    /** Disjunction of two or more premises. */
    record Or(List<Premise> items, Span span) implements Premise {
        public Or {
            items = List.copyOf(items);
        }
    }

    /** Conjunction of two or more premises. */
    record And(List<Premise> items, Span span) implements Premise {
        public And {
            items = List.copyOf(items);
        }
    }

    /** Negation. */
    record Not(Premise operand, Span span) implements Premise { }

    /** {@code e0 op0 e1 [op1 e2]}: a comparison, possibly chained ({@code 0 <= x <= 5}). */
    record Compare(List<Expr> operands, List<CmpOp> ops, Span span) implements Premise {
        public Compare {
            operands = List.copyOf(operands);
            ops = List.copyOf(ops);
        }
    }

    /** {@code e in [lo, hi]}. */
    record InInterval(Expr expr, Expr lo, Expr hi, Span span) implements Premise { }

    /** {@code feature is [not] value}: a test of a categorical input. */
    record IsValue(Name feature, boolean negated, Name value, Span span) implements Premise { }

    /** A reference to a concept by name. */
    record ConceptRef(Name name, Span span) implements Premise { }
}
