package dev.engram.front;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Ir;
import dev.engram.model.LoadedModel;
import dev.engram.source.SourceFile;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the front end made of a request: the sources it read (for showing diagnostics with their lines), every
 * diagnostic, and either why it stopped or the model (loaded once) with the IR to compile or verify on it.
 *
 * @param model       the model, null when the front end stopped before loading it
 * @param ir          the IR, null when the front end stopped
 * @param rulesSha256 SHA-256 of the rule file's text ("" without one): the patch's provenance
 */
public record Front(List<SourceFile> sources, List<Diagnostic> diagnostics, Optional<Stop> stop,
                    Optional<Path> modelPath, LoadedModel model, Ir ir, String rulesSha256) {
    public Front {
        sources = List.copyOf(sources);
        diagnostics = List.copyOf(diagnostics);
    }

    /** Why the front end stopped: errors in what was written, or input it could not use. */
    public record Stop(Kind kind, String message) {
        public enum Kind {
            /** Errors in the rule file or the statements it asks for (exit 1); {@code message} may be empty. */
            REJECTED,
            /** A file that cannot be read or used, a missing model, a bad request (exit 2). */
            UNUSABLE
        }
    }

    /** True when there is an IR to go on with. */
    public boolean ready() {
        return stop.isEmpty();
    }
}
