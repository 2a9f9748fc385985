package dev.engram.ast;

import dev.engram.source.Span;
import java.util.List;

/** A parsed {@code .engram} file: its statements in source order. */
public record RuleFile(List<Statement> statements, Span span) implements Node {
    public RuleFile {
        statements = List.copyOf(statements);
    }
}
