package dev.engram.maven;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.diag.Severity;
import dev.engram.source.SourceFile;
import org.apache.maven.plugin.logging.Log;

import java.util.List;

/**
 * Diagnostics in Maven's log, in the compiler form IDEs jump from: {@code file:line:col: error[E010]: message} at
 * error level (warnings at warning level, notes at info level), followed by the source line, the caret and the hint.
 */
final class MavenLog {
    private MavenLog() {
    }

    /** Logs every diagnostic; returns how many were warnings. */
    static int diagnostics(Log log, List<Diagnostic> ds, List<SourceFile> sources) {
        int warnings = 0;
        for (Diagnostic d : ds) {
            SourceFile shown = sources.stream().filter(s -> s.path().equals(d.span().file())).findFirst()
                    .orElse(null);
            for (String line : DiagnosticRenderer.text(d, shown).split("\n")) {
                if (d.severity() == Severity.ERROR) {
                    log.error(line);
                } else if (d.severity() == Severity.WARNING) {
                    log.warn(line);
                } else {
                    log.info(line);
                }
            }
            if (d.severity() == Severity.WARNING) {
                warnings++;
            }
        }
        return warnings;
    }
}
