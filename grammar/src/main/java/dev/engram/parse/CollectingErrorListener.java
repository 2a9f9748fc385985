package dev.engram.parse;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.source.Span;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Turns every lexer and parser error ANTLR reports into a {@link Diagnostic} (E001 for characters the lexer
 * cannot read, E002 for syntax errors) instead of printing to the console. Keeps at most {@link #LIMIT}, then stops the lexer or parser.
 */
final class CollectingErrorListener extends BaseErrorListener {
    static final int LIMIT = 200;

    private final String path;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private int dropped;

    CollectingErrorListener(String path) {
        this.path = path;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                            String msg, RecognitionException e) {
        if (diagnostics.size() >= LIMIT) {
            dropped++;
            throw new TooManyErrors(); // stop: recovering through megabytes of garbage is slow and tells nothing
        }
        int col = charPositionInLine + 1;
        if (recognizer instanceof Lexer) {
            String text = msg.startsWith("token recognition error at: ")
                    ? msg.substring("token recognition error at: ".length()) : msg;
            if (text.startsWith("'\"")) {
                diagnostics.add(Diagnostic.error(DiagnosticCode.E001, Span.of(path, line, col, line, col + 1),
                        "unterminated string", "close the string with \" on the same line"));
            } else {
                diagnostics.add(Diagnostic.error(DiagnosticCode.E001, Span.of(path, line, col, line, col + 1),
                        "unrecognised character " + printable(text),
                        "names use letters, digits and _; comments start with // or #"));
            }
            return;
        }
        int len = 1;
        if (offendingSymbol instanceof Token t && t.getType() != Token.EOF && t.getText() != null) {
            len = Math.max(1, Math.min(t.getText().length(), 200));
        }
        String message = msg.replace("<EOF>", "end of file");
        String hint = "";
        int exp = message.indexOf(" expecting ");
        if (exp >= 0) {
            hint = "expected " + shorten(message.substring(exp + " expecting ".length()));
            message = message.substring(0, exp);
        }
        if (message.startsWith("no viable alternative") && offendingSymbol instanceof Token t) {
            message = t.getType() == Token.EOF ? "unexpected end of file" : "unexpected '" + t.getText() + "'";
        }
        message = readable(message);
        hint = readable(hint);
        message = message.replace("mismatched input", "unexpected")
                .replace("extraneous input", "unexpected")
                .replace("no viable alternative at input", "cannot understand");
        if (message.length() > 160) {
            message = message.substring(0, 157) + "...";
        }
        diagnostics.add(Diagnostic.error(DiagnosticCode.E002, Span.of(path, line, col, line, col + len),
                message, hint.isEmpty() ? "see docs/language.md for the statement forms" : hint));
    }

    private static String readable(String s) {
        return s.replaceAll("\\bID\\b", "a name").replaceAll("\\bINT\\b", "an integer")
                .replaceAll("\\bFLOAT\\b", "a number").replaceAll("\\bSTRING\\b", "a \\\"string\\\"")
                .replace("'end of file'", "end of file");
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }

    private static String printable(String quoted) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < quoted.length() && i < 40; i++) {
            char c = quoted.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) || c == '\uFFFD') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Thrown (without a stack trace) to abandon lexing or parsing once {@link #LIMIT} errors are reported. */
    static final class TooManyErrors extends RuntimeException {
        TooManyErrors() {
            super("too many errors", null, false, false);
        }
    }

    List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    int dropped() {
        return dropped;
    }
}
