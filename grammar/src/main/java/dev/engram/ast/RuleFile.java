package dev.engram.ast;

import dev.engram.source.Span;
import java.util.List;

/**
 * A parsed {@code .engram} file: its statements in source order, and its ordinary (non-doc) comments, which
 * only the formatter uses (so that {@code engram fmt} never drops them).
 */
public record RuleFile(List<Statement> statements, List<Comment> comments, Span span) implements Node {
    public RuleFile {
        statements = List.copyOf(statements);
        comments = List.copyOf(comments);
    }

    /** A file without comments. */
    public RuleFile(List<Statement> statements, Span span) {
        this(statements, List.of(), span);
    }

    /** An ordinary comment ({@code //}, {@code #} or a block comment), text as written. */
    public record Comment(String text, Span span) { }
}
