package dev.engram.vnnlib;

import dev.engram.diag.Diagnostic;

import java.util.List;
import java.util.Optional;

/** What parsing a VNN-LIB file gives: the spec when there are no errors, and every diagnostic found. */
public record VnnlibParseResult(Optional<VnnlibSpec> spec, List<Diagnostic> diagnostics) {
    public VnnlibParseResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }
}
