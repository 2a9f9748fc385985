package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.PatchResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code engram revert}: undoes a patch on a patched model, restoring the original tensors bit-identically. */
@Command(name = "revert", description = "Undo an .epatch on a patched model; writes the restored model.")
public final class RevertCommand implements Callable<Integer> {

    @Mixin
    PatchFiles files;

    @Override
    public Integer call() {
        PatchResult r = Engram.revert(files.model, files.patch, files.out);
        if (!r.ok()) {
            System.err.println("engram: error: " + r.message().get());
            return 2;
        }
        boolean hasBase = r.patch().provenance().baseSha256() != null;
        System.out.println("reverted " + r.patch().edits().size() + " edit(s) -> " + files.out + " (sha256 "
                + r.model().sha256() + (r.identicalToBase() ? ", identical to the patch's base" : !hasBase ? ""
                : ", tensors restored; file bytes differ from the base") + ")");
        return 0;
    }
}
