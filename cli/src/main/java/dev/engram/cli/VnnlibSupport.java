package dev.engram.cli;

import dev.engram.diag.Diagnostic;
import dev.engram.properties.VnnlibFile;
import dev.engram.source.SourceFile;

import java.util.List;

/** Bridges {@code engram check} to the VNN-LIB front end: parse, convert to properties, report. */
final class VnnlibSupport {
    private VnnlibSupport() {
    }

    /** Diagnostics of a VNN-LIB file (sizes are not checked: no model is given to {@code check}). */
    static List<Diagnostic> check(SourceFile src) {
        return VnnlibFile.of(src, -1, -1).diagnostics();
    }
}
