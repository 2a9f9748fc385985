package dev.engram.source;

/**
 * A range of source text: file path, start position (inclusive) and end position (exclusive column).
 * Every AST and IR node carries one. {@link #NONE} is used for nodes built programmatically without text.
 */
public record Span(String file, Position start, Position end) {
    public static final Span NONE = new Span("<api>", new Position(0, 0), new Position(0, 0));

    public static Span of(String file, int line, int column, int endLine, int endColumn) {
        return new Span(file, new Position(line, column), new Position(endLine, endColumn));
    }

    @Override
    public String toString() {
        return file + ":" + start;
    }
}
