package dev.engram.ast;

import dev.engram.source.Span;

/** An arithmetic expression over inputs or outputs; the checker demands it be linear. */
public sealed interface Expr extends Node {
    /** A non-negative numeric literal (a minus sign is a {@link Neg}). */
    record Num(double value, Span span) implements Expr { }

    /** The constant {@code pi}. */
    record Pi(Span span) implements Expr { }

    /** A reference to an input or an output by name. */
    record Var(Name name, Span span) implements Expr { }

    /** Unary minus. */
    record Neg(Expr operand, Span span) implements Expr { }

    /** {@code left op right}. */
    record Binary(Expr left, BinOp op, Expr right, Span span) implements Expr { }

    /** Arithmetic operators. */
    enum BinOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/");

        private final String symbol;

        BinOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }
}
