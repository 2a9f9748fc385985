package dev.engram.api;

import dev.engram.ast.CmpOp;
import dev.engram.ast.Expr;
import dev.engram.ast.Name;
import dev.engram.source.Span;

import java.util.List;

/**
 * A linear expression over inputs (in conditions) or outputs (in outcomes), in real units:
 * {@code x("amount").minus(x("income").times(0.5))}. Comparing two expressions gives a {@link Comparison}.
 */
public record Linear(Expr expr) {

    /** The input or output called {@code name}. */
    public static Linear of(String name) {
        return new Linear(new Expr.Var(new Name(name, Span.NONE), Span.NONE));
    }

    /** A constant. */
    public static Linear of(double value) {
        Expr num = new Expr.Num(Math.abs(value), Span.NONE);
        return new Linear(value < 0 || (value == 0 && 1 / value < 0) ? new Expr.Neg(num, Span.NONE) : num);
    }

    public Linear plus(Linear other) {
        return binary(Expr.BinOp.ADD, other);
    }

    public Linear plus(double value) {
        return plus(of(value));
    }

    public Linear minus(Linear other) {
        return binary(Expr.BinOp.SUB, other);
    }

    public Linear minus(double value) {
        return minus(of(value));
    }

    public Linear times(double factor) {
        return binary(Expr.BinOp.MUL, of(factor));
    }

    public Comparison lt(double v) {
        return compare(CmpOp.LT, of(v));
    }

    public Comparison le(double v) {
        return compare(CmpOp.LE, of(v));
    }

    public Comparison gt(double v) {
        return compare(CmpOp.GT, of(v));
    }

    public Comparison ge(double v) {
        return compare(CmpOp.GE, of(v));
    }

    public Comparison eq(double v) {
        return compare(CmpOp.EQ, of(v));
    }

    public Comparison lt(Linear other) {
        return compare(CmpOp.LT, other);
    }

    public Comparison le(Linear other) {
        return compare(CmpOp.LE, other);
    }

    public Comparison gt(Linear other) {
        return compare(CmpOp.GT, other);
    }

    public Comparison ge(Linear other) {
        return compare(CmpOp.GE, other);
    }

    private Comparison compare(CmpOp op, Linear other) {
        return new Comparison(List.of(expr, other.expr), List.of(op));
    }

    private Linear binary(Expr.BinOp op, Linear other) {
        return new Linear(new Expr.Binary(expr, op, other.expr, Span.NONE));
    }
}
