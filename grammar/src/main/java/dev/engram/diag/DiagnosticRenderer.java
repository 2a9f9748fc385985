package dev.engram.diag;

import dev.engram.source.SourceFile;
import java.util.List;

/**
 * Prints diagnostics like a compiler: {@code path:line:col: error[E010]: message}, the source line, a caret
 * and tildes under the span, then {@code   = hint: ...}. Also renders a JSON array for tools.
 */
public final class DiagnosticRenderer {
    private DiagnosticRenderer() {
    }

    /** Text form of one diagnostic; {@code source} supplies the line shown (may be null). */
    public static String text(Diagnostic d, SourceFile source) {
        StringBuilder b = new StringBuilder();
        int line = d.span().start().line();
        int col = d.span().start().column();
        b.append(d.span().file()).append(':').append(line).append(':').append(col).append(": ")
                .append(d.severity().label()).append('[').append(d.code().id()).append("]: ")
                .append(d.message()).append('\n');
        String src = source == null ? "" : source.line(line, 241);
        if (!src.isEmpty() && col >= 1) {
            String shown = src.length() > 240 ? src.substring(0, 240) + "..." : src;
            shown = sanitize(shown);
            String gutter = String.valueOf(line);
            String pad = " ".repeat(gutter.length());
            b.append(pad).append(" |\n");
            b.append(gutter).append(" | ").append(shown).append('\n');
            int start = Math.min(col - 1, shown.length());
            int end = d.span().end().line() == line ? d.span().end().column() - 1 : shown.length();
            end = Math.max(start + 1, Math.min(end, shown.length()));
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < start; i++) {
                marks.append(shown.charAt(i) == '\t' ? '\t' : ' ');
            }
            marks.append('^');
            for (int i = start + 1; i < end; i++) {
                marks.append('~');
            }
            b.append(pad).append(" | ").append(marks).append('\n');
        }
        if (d.hint() != null && !d.hint().isEmpty()) {
            b.append("  = hint: ").append(d.hint()).append('\n');
        }
        return b.toString();
    }

    /** All diagnostics of one file in text form. */
    public static String text(List<Diagnostic> ds, SourceFile source) {
        StringBuilder b = new StringBuilder();
        for (Diagnostic d : ds) {
            b.append(text(d, source));
        }
        return b.toString();
    }

    private static String sanitize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c == '\t' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && !Character.isSurrogate(c))
                    ? c : '?');
        }
        return b.toString();
    }

    /** One diagnostic as a JSON object ({@link DiagnosticJson}). */
    public static String json(Diagnostic d) {
        return DiagnosticJson.write(DiagnosticJson.of(d));
    }

    /** A JSON string literal ({@link DiagnosticJson}). */
    public static String jsonString(String s) {
        return DiagnosticJson.string(s);
    }
}
