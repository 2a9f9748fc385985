package dev.engram.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What every front-end stage returns: its value (when it could produce one; a stage documents whether a value may
 * come with errors) and every diagnostic it found, in source order (stable: those at one position keep the order
 * they were found in). Parsing gives a {@code Diagnosed<RuleFile>}, checking a {@code Diagnosed<CheckedProgram>},
 * and so on: one type for "a result and its problems", like javaparser's {@code ParseResult}.
 */
public record Diagnosed<T>(Optional<T> value, List<Diagnostic> diagnostics) {
    public Diagnosed {
        List<Diagnostic> sorted = new ArrayList<>(diagnostics);
        sorted.sort(Comparator.comparing((Diagnostic d) -> d.span().start()));
        diagnostics = List.copyOf(sorted);
    }

    /** A value with diagnostics. */
    public static <T> Diagnosed<T> of(T value, List<Diagnostic> diagnostics) {
        return new Diagnosed<>(Optional.of(value), diagnostics);
    }

    /** No value: the diagnostics say why. */
    public static <T> Diagnosed<T> failed(List<Diagnostic> diagnostics) {
        return new Diagnosed<>(Optional.empty(), diagnostics);
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(Diagnostic::isError);
    }

    /** True when there is a value and no error. */
    public boolean ok() {
        return value.isPresent() && !hasErrors();
    }
}
