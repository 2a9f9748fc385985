package dev.engram.diag;

import dev.engram.source.SourceFile;

import java.util.List;

/**
 * Renders diagnostics like a compiler: {@code path:line:col: error[E0xx]: message}, the source line with a caret
 * under the span, and the hint; or as JSON objects for tools.
 */
public final class DiagnosticPrinter {
    private DiagnosticPrinter() {
    }

    /** Text form; {@code source} may be null when the text is not at hand (no source line is shown then). */
    public static String text(Diagnostic d, SourceFile source) {
        StringBuilder sb = new StringBuilder();
        var s = d.span();
        sb.append(s.file()).append(':').append(s.start().line()).append(':').append(s.start().column()).append(": ")
                .append(d.severity().name().toLowerCase(java.util.Locale.ROOT)).append('[').append(d.code().id())
                .append("]: ").append(d.message()).append('\n');
        if (source != null && s.start().line() > 0) {
            String line = source.line(s.start().line());
            if (line.length() > 200) {
                int from = Math.max(0, Math.min(line.length() - 200, s.start().column() - 100));
                line = line.substring(from, Math.min(line.length(), from + 200));
            }
            String gutter = String.valueOf(s.start().line());
            sb.append(" ".repeat(gutter.length())).append(" |\n");
            sb.append(gutter).append(" | ").append(printable(line)).append('\n');
            int col = Math.max(1, Math.min(s.start().column(), line.length() + 1));
            int width = s.end().line() == s.start().line() ? Math.max(1, s.end().column() - s.start().column()) : 1;
            width = Math.min(width, Math.max(1, line.length() + 1 - col + 1));
            sb.append(" ".repeat(gutter.length())).append(" | ").append(" ".repeat(col - 1)).append('^')
                    .append("~".repeat(Math.max(0, width - 1))).append('\n');
        }
        if (d.hint() != null && !d.hint().isEmpty()) {
            sb.append("  = hint: ").append(d.hint()).append('\n');
        }
        return sb.toString();
    }

    private static String printable(String line) {
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            sb.append(c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }

    /** JSON array of diagnostics. */
    public static String json(List<Diagnostic> diagnostics) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < diagnostics.size(); i++) {
            Diagnostic d = diagnostics.get(i);
            var s = d.span();
            sb.append(i == 0 ? "\n  " : ",\n  ").append("{\"file\":").append(quote(s.file()))
                    .append(",\"line\":").append(s.start().line()).append(",\"column\":").append(s.start().column())
                    .append(",\"endLine\":").append(s.end().line()).append(",\"endColumn\":").append(s.end().column())
                    .append(",\"severity\":").append(quote(d.severity().name().toLowerCase(java.util.Locale.ROOT)))
                    .append(",\"code\":").append(quote(d.code().id())).append(",\"message\":").append(quote(d.message()))
                    .append(",\"hint\":").append(d.hint() == null ? "null" : quote(d.hint())).append('}');
        }
        return sb.append(diagnostics.isEmpty() ? "]" : "\n]").toString();
    }

    /** A JSON string literal. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
