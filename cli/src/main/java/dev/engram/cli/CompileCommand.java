package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.front.PointSet;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.verify.Box;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code engram compile [RULES.engram] [--model M] [--enforce P.vnnlib]... --out PATCHED}: maps its options to one
 * {@link CompileRequest}, calls {@link Engram#compile} and prints the result. Exit 0 when everything is proved, 1 for
 * errors in the rules, 2 for usage or I/O problems, 3 when an obligation could not be lowered or proved, or the time
 * limit ({@code --timeout}, the whole compilation's) ran out ({@code E063}); then no model or patch is written.
 */
@Command(name = "compile", description = "Compile rules into a model's weights and prove them on the result.")
public final class CompileCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "RULES.engram", description = "rule file to compile")
    Path rules;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "model file (.onnx, .nnet); default: the rule file's model declaration")
    Path model;

    @Option(names = "--enforce", paramLabel = "P.vnnlib",
            description = "enforce a VNN-LIB property: its unsafe set must become unreachable over its region")
    List<Path> enforce = new ArrayList<>();

    @Option(names = "--fix-points", paramLabel = "IMAGES",
            description = "inputs to fix (IDX or NPY; unsigned bytes read as value/255): each row must be classified "
                    + "as its label from --labels, or with --eps every input of its L-infinity ball (local repair)")
    Path fixPoints;

    @Option(names = "--labels", paramLabel = "LABELS", description = "the labels of --fix-points (IDX or NPY)")
    Path labels;

    @Option(names = "--indices", paramLabel = "I,J,...", split = ",",
            description = "only these rows of --fix-points (from 0; default all)")
    List<Integer> indices = new ArrayList<>();

    @Option(names = "--eps", paramLabel = "E", defaultValue = "0",
            description = "radius of the L-infinity ball around each --fix-points row, in input units (default 0: "
                    + "the rows themselves)")
    double eps;

    @Option(names = "--input-range", paramLabel = "LO:HI", defaultValue = "0:1",
            description = "the inputs' valid range: balls are clipped to it (default ${DEFAULT-VALUE})")
    String inputRange;

    @Option(names = "--keep", paramLabel = "DATA",
            description = "inputs whose decisions the local repair holds (IDX or NPY, e.g. the training images)")
    Path keep;

    @Option(names = "--keep-count", paramLabel = "N", defaultValue = "5000",
            description = "how many rows of --keep to read (default ${DEFAULT-VALUE})")
    int keepCount;

    @Option(names = "--out", required = true, paramLabel = "PATCHED", description = "where to write the patched model")
    Path out;

    @Option(names = "--patch", paramLabel = "P.epatch", description = "also write the patch")
    Path patch;

    @Option(names = "--report", paramLabel = "R.html|R.json",
            description = "also write a report: R.html is the HTML report (with the JSON beside it), other names JSON")
    Path report;

    @Option(names = "--strategy", paramLabel = "auto|guard|repair|local",
            description = "strategy for --enforce properties (default auto: the guard where the network allows it, "
                    + "else the repair); rules name theirs with 'using'")
    String strategy = "auto";

    @Option(names = "--delta", paramLabel = "D", defaultValue = "" + Obligation.DEFAULT_DILATION,
            description = "the guard's dilation: how far it reaches beyond a rule's region, as a fraction of each "
                    + "input's domain (rules) or region (--enforce) width (default ${DEFAULT-VALUE})")
    double dilation;

    @Option(names = "--domain", paramLabel = "LO:HI,...", description = "input domain for fidelity sampling (model units)")
    String domain;

    @Option(names = "--decide", paramLabel = "argmin|argmax",
            description = "how the model decides, for fidelity (default: the rule file's, else argmin)")
    String decide;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "5000", description = "fidelity samples (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "time limit of the whole compilation (default ${DEFAULT-VALUE}): past it, E063 and exit 3, "
                    + "with no model or patch written")
    double timeout;

    @Option(names = "--dict", paramLabel = "M.ncd",
            description = "neural-code dictionary for concept statements (default: learn it from the rule file's concepts)")
    Path dict;

    @Option(names = "--test-data", paramLabel = "DATA",
            description = "independent test data for concept statements (default: the concept data's test sibling)")
    Path testData;

    @Option(names = "--min-auc", paramLabel = "AUC", defaultValue = "" + ConceptPolicy.DEFAULT_MIN_AUC,
            description = "quality gate: a concept's held-out AUC at its layer (default ${DEFAULT-VALUE})")
    double minAuc;

    @Option(names = "--min-efficacy", paramLabel = "SHARE", defaultValue = "" + ConceptPolicy.DEFAULT_MIN_EFFICACY,
            description = "concept rules: held-out positives meeting the consequent (default ${DEFAULT-VALUE})")
    double minEfficacy;

    @Option(names = "--min-locality", paramLabel = "SHARE", defaultValue = "" + ConceptPolicy.DEFAULT_MIN_LOCALITY,
            description = "concept rules: negatives whose decision is unchanged (default ${DEFAULT-VALUE})")
    double minLocality;

    @Option(names = "--max-drawdown", paramLabel = "SHARE", defaultValue = "" + ConceptPolicy.DEFAULT_MAX_DRAWDOWN,
            description = "concept statements: task accuracy that may be lost (default ${DEFAULT-VALUE} = 0.5 pt)")
    double maxDrawdown;

    @Override
    public Integer call() {
        if (rules == null && enforce.isEmpty() && fixPoints == null) {
            System.err.println("engram compile: give a rule file, --enforce P.vnnlib or --fix-points IMAGES");
            return 2;
        }
        if (!List.of("auto", "guard", "repair", "local").contains(strategy)) {
            System.err.println("engram compile: unknown --strategy '" + strategy
                    + "' (use auto, guard, repair or local)");
            return 2;
        }
        if (fixPoints != null && labels == null) {
            System.err.println("engram compile: --fix-points needs --labels LABELS (one label per row)");
            return 2;
        }
        double[] range;
        try {
            String[] lh = inputRange.split(":");
            range = new double[]{Double.parseDouble(lh[0].trim()), Double.parseDouble(lh[1].trim())};
        } catch (RuntimeException e) {
            System.err.println("engram compile: --input-range '" + inputRange + "' is not LO:HI");
            return 2;
        }
        CompileRequest.Builder req = CompileRequest.builder().setModel(model).optRules(rules).optOut(out)
                .optPatch(patch).optReport(report).optDilation(dilation).optFidelitySamples(samples)
                .optTimeout(timeout)
                .optStrategy(Obligation.Strategy.valueOf(strategy.toUpperCase(Locale.ROOT)))
                .optConcepts(ConceptPolicy.builder().optDictionary(dict).optTestData(testData).optMinAuc(minAuc)
                        .optMinEfficacy(minEfficacy).optMinLocality(minLocality).optMaxDrawdown(maxDrawdown).build());
        enforce.forEach(req::addEnforce);
        if (fixPoints != null) {
            req.addPoints(new PointSet(fixPoints, labels, indices, eps, range[0], range[1], keep, keepCount));
        }
        if (domain != null) {
            req.optDomain(parseDomain(domain));
        }
        if (decide != null) {
            req.optDecision(decide.equalsIgnoreCase("argmax") ? Decision.ARGMAX : Decision.ARGMIN);
        }
        CompileResult r = Engram.compile(req.build());
        Render.compileResult(r);
        if (r.proved()) {
            System.out.println("wrote " + out + (patch != null ? ", " + patch : "") + (report != null ? ", " + report : ""));
        }
        return r.outcome().exitCode();
    }

    static Box parseDomain(String s) {
        String[] parts = s.split(",");
        double[] lo = new double[parts.length];
        double[] hi = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String[] lh = parts[i].split(":");
            lo[i] = Double.parseDouble(lh[0].trim());
            hi[i] = Double.parseDouble(lh[1].trim());
        }
        return new Box(lo, hi);
    }
}
