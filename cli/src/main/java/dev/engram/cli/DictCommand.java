package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.dict.DictionaryTable;
import dev.engram.dict.NcdFile;
import dev.engram.ir.ConceptPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code engram dict}: commands on a neural-code dictionary ({@code .ncd}). */
@Command(name = "dict", description = "Inspect a neural-code dictionary (.ncd).", subcommands = DictCommand.Show.class)
public final class DictCommand implements Runnable {

    @Override
    public void run() {
        System.err.println("engram dict: give a subcommand: show");
    }

    /** {@code engram dict show M.ncd [--model M] [--json]}: the concept × layer quality table (or the metadata). */
    @Command(name = "show", description = "Print a dictionary's concept x layer quality table (the neural-code map).")
    public static final class Show implements Callable<Integer> {

        @Parameters(paramLabel = "M.ncd", description = "the dictionary")
        Path ncd;

        @Option(names = "--model", paramLabel = "MODEL", description = "also check that it belongs to this model")
        Path model;

        @Option(names = "--json", description = "print the metadata as JSON instead")
        boolean json;

        @Option(names = "--min-auc", defaultValue = "" + ConceptPolicy.DEFAULT_MIN_AUC, paramLabel = "AUC",
                description = "mark codes below this held-out AUC (default ${DEFAULT-VALUE})")
        double minAuc;

        @Override
        public Integer call() {
            Engram.DictionaryResult r = Engram.dictionary(ncd, Optional.ofNullable(model));
            if (r.dictionary().isEmpty()) {
                System.err.println("engram dict show: " + r.problem().orElse("unreadable"));
                return 2;
            }
            System.out.print(json ? NcdFile.metadataJson(r.dictionary().get()) + "\n"
                    : DictionaryTable.text(r.dictionary().get(), minAuc));
            return 0;
        }
    }
}
