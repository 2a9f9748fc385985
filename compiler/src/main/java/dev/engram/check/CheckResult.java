package dev.engram.check;

import dev.engram.diag.Diagnostic;
import java.util.List;
import java.util.Optional;

/** Outcome of checking a rule file: the program when there were no errors, and all diagnostics (sorted). */
public record CheckResult(Optional<CheckedProgram> program, List<Diagnostic> diagnostics) {
    public CheckResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
}
