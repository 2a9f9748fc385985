package dev.engram.ast;

import dev.engram.source.Span;
import java.util.List;

/** The declared domain of an input: a real interval with an optional unit, or a categorical one-hot block. */
public sealed interface InputDomain extends Node {
    /** {@code in [lo, hi] unit}; {@code unit} is "" when not written. */
    record Real(Expr lo, Expr hi, String unit, Span span) implements InputDomain { }

    /** {@code one of {a, b, c}}: one-hot block starting at the input's index, one slot per value. */
    record Categorical(List<Name> values, Span span) implements InputDomain {
        public Categorical {
            values = List.copyOf(values);
        }
    }
}
