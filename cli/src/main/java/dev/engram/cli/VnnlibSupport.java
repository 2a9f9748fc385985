package dev.engram.cli;

import dev.engram.diag.Diagnostic;
import dev.engram.source.SourceFile;
import java.util.List;

/** Bridges {@code engram check} to the VNN-LIB front end; null when this build has none. */
final class VnnlibSupport {
    private VnnlibSupport() {
    }

    /** Diagnostics of a VNN-LIB file, or null when VNN-LIB parsing is not available. */
    static List<Diagnostic> check(SourceFile src) {
        return null;
    }
}
