package dev.engram.cli;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.source.SourceFile;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Predicate;

/** How the commands print the library's values: diagnostics with their source lines, messages with the command. */
final class Render {
    private Render() {
    }

    /** Prints the diagnostics {@code which} selects, each with the line of the source it points into. */
    static void diagnostics(PrintStream out, List<Diagnostic> ds, List<SourceFile> sources,
                            Predicate<Diagnostic> which) {
        for (Diagnostic d : ds) {
            if (which.test(d)) {
                SourceFile shown = sources.stream().filter(s -> s.path().equals(d.span().file())).findFirst()
                        .orElse(null);
                out.print(DiagnosticRenderer.text(d, shown));
            }
        }
    }

    static void diagnostics(PrintStream out, List<Diagnostic> ds, List<SourceFile> sources) {
        diagnostics(out, ds, sources, d -> true);
    }
}
