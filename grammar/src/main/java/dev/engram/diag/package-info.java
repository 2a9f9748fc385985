/**
 * Diagnostics as data: {@code Diagnostic(code, severity, span, message, hint)}, the stable {@code DiagnosticCode}
 * catalogue (numbers never change) and their rendering. Imports only {@code source}.
 */
package dev.engram.diag;
