package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.LearnRequest;
import dev.engram.LearnResult;
import dev.engram.dict.DictionaryTable;
import dev.engram.ir.ConceptPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code engram learn --model M [--data D] [--concepts C.engram] --out M.ncd}: maps its options to one
 * {@link LearnRequest}, calls {@link Engram#learn} and prints the concept × layer quality table. Exit 0 when the
 * dictionary was written (concepts below {@code --min-auc} are listed as warnings), 1 for errors in the rule file or
 * its concepts, 2 for usage or I/O problems.
 */
@Command(name = "learn", description = "Learn where a model's neurons encode declared concepts; write a .ncd dictionary.")
public final class LearnCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "the model (.onnx, .nnet, .pt)")
    Path model;

    @Option(names = "--data", paramLabel = "DATA",
            description = "examples (IDX [.gz] or NPY with labels beside them, CSV, ARFF); default: the file each "
                    + "concept declaration names")
    Path data;

    @Option(names = "--concepts", paramLabel = "RULES.engram",
            description = "rule file declaring the concepts (concept C from \"FILE\" column \"label in {5, 7, 9}\"); "
                    + "default: one concept per class of the data's labels")
    Path concepts;

    @Option(names = "--out", required = true, paramLabel = "M.ncd", description = "where to write the dictionary")
    Path out;

    @Option(names = "--layers", split = ",", paramLabel = "L,...",
            description = "layers to tap besides the hidden ones (0 is the input)")
    List<Integer> layers = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "24301", description = "seed of the held-out split (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--held-out", defaultValue = "0.2", paramLabel = "SHARE",
            description = "share of rows held out to measure each code (default ${DEFAULT-VALUE})")
    double heldOut;

    @Option(names = "--min-auc", defaultValue = "" + ConceptPolicy.DEFAULT_MIN_AUC, paramLabel = "AUC",
            description = "quality gate: rules over concepts coded below it do not compile (default ${DEFAULT-VALUE})")
    double minAuc;

    @Option(names = "--atoms", defaultValue = "0", paramLabel = "K",
            description = "also learn K unsupervised atoms per tapped layer (a sparse dictionary of its activations), "
                    + "each named by its best-matching concept (default ${DEFAULT-VALUE}: none)")
    int atoms;

    @Override
    public Integer call() {
        if (atoms < 0 || atoms > 1024) {
            System.err.println("engram learn: --atoms must be between 0 and 1024");
            return 2;
        }
        if (!(heldOut > 0 && heldOut < 1)) {
            System.err.println("engram learn: --held-out must be between 0 and 1");
            return 2;
        }
        LearnResult r = Engram.learn(LearnRequest.builder().setModel(model).setOut(out).optData(data)
                .optConcepts(concepts).optLayers(Set.copyOf(layers)).optSeed(seed).optHeldOut(heldOut)
                .optMinAuc(minAuc).optAtoms(atoms).build());
        Render.diagnostics(System.err, r.diagnostics(), r.sources());
        r.message().ifPresent(m -> System.err.println("engram learn: " + m));
        if (r.dictionary() == null) {
            return r.outcome().exitCode();
        }
        System.out.print(DictionaryTable.text(r.dictionary(), minAuc));
        for (String w : r.weak()) {
            System.err.println("engram learn: warning: concept '" + w + "' is coded weakly at every layer (best held-out"
                    + " AUC below " + minAuc + "): give more or cleaner examples, or tap another layer (--layers)");
        }
        System.out.printf(Locale.ROOT, "learned %d concept(s) from %d rows in %.1f s (%.0f rows/s); wrote %s%n",
                r.dictionary().concepts().size(), r.rows(), r.seconds(), r.rowsPerSecond(), out);
        return 0;
    }
}
