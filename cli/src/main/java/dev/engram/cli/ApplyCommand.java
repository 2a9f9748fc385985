package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.PatchResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code engram apply}: applies a patch to the model it was made for and writes the result. */
@Command(name = "apply", description = "Apply an .epatch to its base model (checked by SHA-256); writes a new file.")
public final class ApplyCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL")
    Path model;

    @Option(names = "--patch", required = true, paramLabel = "PATCH.epatch")
    Path patch;

    @Option(names = "--out", required = true, paramLabel = "OUT")
    Path out;

    @Override
    public Integer call() {
        PatchResult r = Engram.apply(model, patch, out);
        if (!r.ok()) {
            System.err.println("engram: error: " + r.message().get());
            return 2;
        }
        System.out.println("applied " + r.patch().edits().size() + " edit(s) -> " + out + " (sha256 "
                + r.model().sha256() + ")");
        return 0;
    }
}
