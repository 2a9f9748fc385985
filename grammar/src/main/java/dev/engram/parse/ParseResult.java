package dev.engram.parse;

import dev.engram.ast.RuleFile;
import dev.engram.diag.Diagnostic;
import java.util.List;
import java.util.Optional;

/** Outcome of parsing one rule file: the AST when the text had no syntax errors, and every diagnostic found (by position). */
public record ParseResult(Optional<RuleFile> file, List<Diagnostic> diagnostics) {
    public ParseResult {
        java.util.List<Diagnostic> sorted = new java.util.ArrayList<>(diagnostics);
        sorted.sort(java.util.Comparator.comparing((Diagnostic d) -> d.span().start()));
        diagnostics = List.copyOf(sorted);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
}
