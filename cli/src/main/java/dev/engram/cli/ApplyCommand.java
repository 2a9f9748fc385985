package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.PatchResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code engram apply}: applies a patch to the model it was made for and writes the result. */
@Command(name = "apply", description = "Apply an .epatch to its base model (checked by SHA-256); writes a new file.")
public final class ApplyCommand implements Callable<Integer> {

    @Mixin
    PatchFiles files;

    @Override
    public Integer call() {
        PatchResult r = Engram.apply(files.model, files.patch, files.out);
        if (!r.ok()) {
            System.err.println("engram: error: " + r.message().get());
            return 2;
        }
        System.out.println("applied " + r.patch().edits().size() + " edit(s) -> " + files.out + " (sha256 "
                + r.model().sha256() + ")");
        return 0;
    }
}
