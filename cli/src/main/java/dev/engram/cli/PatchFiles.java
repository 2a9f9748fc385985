package dev.engram.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The files of {@code engram apply} and {@code engram revert}: the model, the patch, and where to write. */
final class PatchFiles {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "the model to change")
    Path model;

    @Option(names = "--patch", required = true, paramLabel = "PATCH.epatch", description = "the patch")
    Path patch;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "where to write (never the input)")
    Path out;
}
