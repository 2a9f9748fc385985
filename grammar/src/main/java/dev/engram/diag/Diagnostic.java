package dev.engram.diag;

import dev.engram.source.Span;

/** One problem found in a source file: a stable code, severity, where, what, and a hint how to fix it. */
public record Diagnostic(DiagnosticCode code, Severity severity, Span span, String message, String hint) {

    public static Diagnostic error(DiagnosticCode code, Span span, String message, String hint) {
        return new Diagnostic(code, Severity.ERROR, span, message, hint);
    }

    public static Diagnostic warning(DiagnosticCode code, Span span, String message, String hint) {
        return new Diagnostic(code, Severity.WARNING, span, message, hint);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
