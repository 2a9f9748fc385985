package dev.engram.cli;

import dev.engram.model.ModelException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared checks of the model commands. */
final class CliFiles {
    private CliFiles() {
    }

    /** An input file is never modified in place. */
    static void refuseInPlace(Path in, Path out) {
        try {
            if (Files.exists(out) && Files.isSameFile(in, out)) {
                throw new ModelException(out + ": refusing to overwrite the input file; choose another --out");
            }
        } catch (IOException e) {
            // cannot compare: the paths differ
        }
    }
}
