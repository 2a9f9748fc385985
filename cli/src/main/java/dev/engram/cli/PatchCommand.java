package dev.engram.cli;

import dev.engram.model.Models;
import dev.engram.patch.Patch;
import dev.engram.patch.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code engram patch show|compose|diff}: inspect and combine .epatch files. */
@Command(name = "patch", description = "Inspect and combine .epatch files.",
        subcommands = {PatchCommand.Show.class, PatchCommand.Compose.class, PatchCommand.Diff.class})
public final class PatchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code engram patch show P}. */
    @Command(name = "show", description = "Print a patch's provenance and edits.")
    public static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "PATCH.epatch")
        Path patch;

        @Override
        public Integer call() {
            System.out.print(Patch.read(patch).show());
            return 0;
        }
    }

    /** {@code engram patch compose P1 P2 --out P}. */
    @Command(name = "compose", description = "Combine two patches (the second applies after the first).")
    public static final class Compose implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FIRST.epatch")
        Path first;

        @Parameters(index = "1", paramLabel = "SECOND.epatch")
        Path second;

        @Option(names = "--out", required = true, paramLabel = "OUT.epatch")
        Path out;

        @Override
        public Integer call() {
            Patch c = Patch.compose(Patch.read(first), Patch.read(second));
            c.write(out);
            System.out.println("composed " + c.edits().size() + " edit(s) -> " + out);
            return 0;
        }
    }

    /** {@code engram patch diff BASE PATCHED --out P}. */
    @Command(name = "diff", description = "Make the patch that turns BASE into PATCHED.")
    public static final class Diff implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BASE")
        Path base;

        @Parameters(index = "1", paramLabel = "PATCHED")
        Path patched;

        @Option(names = "--out", required = true, paramLabel = "OUT.epatch")
        Path out;

        @Option(names = "--rules-sha256", defaultValue = "", description = "hash of the rules behind the change")
        String rules;

        @Override
        public Integer call() {
            Patch p = Patch.diff(Models.load(base), Models.load(patched), Provenance.of(rules, "engram 0.1.0"));
            p.write(out);
            System.out.println("diff: " + p.edits().size() + " edit(s) -> " + out);
            return 0;
        }
    }
}
