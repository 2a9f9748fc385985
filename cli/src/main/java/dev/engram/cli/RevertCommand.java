package dev.engram.cli;

import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.patch.Patch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code engram revert}: undoes a patch on a patched model, restoring the original tensors bit-identically. */
@Command(name = "revert", description = "Undo an .epatch on a patched model; writes the restored model.")
public final class RevertCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "PATCHED_MODEL")
    Path model;

    @Option(names = "--patch", required = true, paramLabel = "PATCH.epatch")
    Path patch;

    @Option(names = "--out", required = true, paramLabel = "OUT")
    Path out;

    @Override
    public Integer call() {
        Patch p = Patch.read(patch);
        LoadedModel r = p.revert(Models.load(model));
        CliFiles.refuseInPlace(model, out);
        r.write(out);
        String base = p.provenance().baseSha256();
        boolean same = base != null && base.equals(r.sha256());
        System.out.println("reverted " + p.edits().size() + " edit(s) -> " + out + " (sha256 " + r.sha256()
                + (same ? ", identical to the patch's base" : base == null ? "" : ", tensors restored; file bytes differ from the base") + ")");
        return 0;
    }
}
