package dev.engram.parse;

import dev.engram.ast.RuleFile;
import dev.engram.diag.Diagnostic;
import java.util.List;
import java.util.Optional;

/** Outcome of parsing one rule file: the AST when the text had no syntax errors, and every diagnostic found. */
public record ParseResult(Optional<RuleFile> file, List<Diagnostic> diagnostics) {
    public ParseResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
}
