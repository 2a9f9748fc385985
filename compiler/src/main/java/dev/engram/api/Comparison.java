package dev.engram.api;

import dev.engram.ast.CmpOp;
import dev.engram.ast.Consequent;
import dev.engram.ast.Expr;
import dev.engram.ast.Premise;
import dev.engram.source.Span;

import java.util.List;

/**
 * A comparison of linear expressions: a {@link Condition} when it is over inputs, an {@link Outcome} when it is over
 * outputs (the checker tells them apart, as it does for rule text).
 */
public record Comparison(List<Expr> operands, List<CmpOp> ops) implements Condition, Outcome {
    public Comparison {
        operands = List.copyOf(operands);
        ops = List.copyOf(ops);
    }

    @Override
    public Premise premise() {
        return new Premise.Compare(operands, ops, Span.NONE);
    }

    @Override
    public Consequent consequent() {
        return new Consequent.Compare(operands, ops, Span.NONE);
    }
}
