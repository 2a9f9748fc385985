package dev.engram;

import dev.engram.diag.Diagnostic;
import dev.engram.source.SourceFile;

import java.util.List;
import java.util.Optional;

/**
 * What {@link Engram#check} found: per file read, its diagnostics; files that could not be read; and a message when
 * the request itself could not be served (a model that cannot be read, a path that does not exist).
 */
public record CheckReport(List<FileReport> files, List<String> unreadable, Optional<String> message) {
    public CheckReport {
        files = List.copyOf(files);
        unreadable = List.copyOf(unreadable);
    }

    /** One file and its diagnostics, in source order. */
    public record FileReport(SourceFile source, List<Diagnostic> diagnostics) {
        public FileReport {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    public long errors() {
        return files.stream().flatMap(f -> f.diagnostics().stream()).filter(Diagnostic::isError).count();
    }

    public long warnings() {
        return files.stream().flatMap(f -> f.diagnostics().stream()).filter(d -> !d.isError()).count();
    }
}
