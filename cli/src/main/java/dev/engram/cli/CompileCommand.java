package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.RuleReport;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.validate.Fidelity;
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
 * errors in the rules, 2 for usage or I/O problems, 3 when an obligation could not be lowered or proved (then no
 * model or patch is written).
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

    @Option(names = "--out", required = true, paramLabel = "PATCHED", description = "where to write the patched model")
    Path out;

    @Option(names = "--patch", paramLabel = "P.epatch", description = "also write the patch")
    Path patch;

    @Option(names = "--report", paramLabel = "R.json", description = "also write a JSON report")
    Path report;

    @Option(names = "--strategy", paramLabel = "guard|repair",
            description = "strategy for --enforce properties (default guard); rules name theirs with 'using'")
    String strategy = "guard";

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

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120", description = "verification budget per rule")
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
        if (rules == null && enforce.isEmpty()) {
            System.err.println("engram compile: give a rule file, or --enforce P.vnnlib (or both)");
            return 2;
        }
        if (!strategy.equals("guard") && !strategy.equals("repair")) {
            System.err.println("engram compile: unknown --strategy '" + strategy + "' (use guard or repair)");
            return 2;
        }
        CompileRequest.Builder req = CompileRequest.builder().setModel(model).optRules(rules).optOut(out)
                .optPatch(patch).optReport(report).optDilation(dilation).optFidelitySamples(samples)
                .optVerifyTimeout(timeout).optStrategy(strategy.equals("repair") ? Obligation.Strategy.REPAIR
                        : Obligation.Strategy.GUARD)
                .optConcepts(ConceptPolicy.defaults().withDictionary(dict).withTestData(testData)
                        .withThresholds(minAuc, minEfficacy, minLocality, maxDrawdown));
        enforce.forEach(req::addEnforce);
        if (domain != null) {
            req.optDomain(parseDomain(domain));
        }
        if (decide != null) {
            req.optDecision(decide.equalsIgnoreCase("argmax") ? Decision.ARGMAX : Decision.ARGMIN);
        }
        CompileResult r = Engram.compile(req.build());
        Render.diagnostics(System.err, r.diagnostics(), r.sources(), d -> d.code() != DiagnosticCode.E061);
        r.message().ifPresent(m -> System.err.println("engram compile: " + m));
        if (r.rules().isEmpty()) {
            return r.outcome().exitCode();
        }
        for (RuleReport rr : r.rules()) {
            System.out.printf(Locale.ROOT, "%-28s %-8s %-10s +%d units, %d params changed, %d added  %-7s "
                            + "lower %.3f s, check %.3f s%n", rr.name(), rr.kind(), rr.strategy(), rr.unitsAdded(),
                    rr.changes().parametersChanged(), rr.changes().parametersAdded(),
                    !rr.proved() ? rr.verdict().word() : measured(rr) ? "measured" : "proved", rr.lowerSeconds(),
                    rr.verifySeconds());
            if (rr.proved() && rr.method().contains("measured")) {
                System.out.println("    " + rr.method());
            }
        }
        Render.diagnostics(System.err, r.diagnostics(), r.sources(), d -> d.code() == DiagnosticCode.E061);
        if (r.ir().obligations().stream().anyMatch(o -> o instanceof Obligation.Enforce)) {
            System.out.println("outside the rules' regions: " + fidelity(r.outside()));
        }
        System.out.printf(Locale.ROOT, "whole domain: %s; %.2f s%n", fidelity(r.wholeDomain()), r.seconds());
        if (!r.proved()) {
            System.err.println("engram compile: not every rule was proved; the patched model was not written");
            return r.outcome().exitCode();
        }
        System.out.println("wrote " + out + (patch != null ? ", " + patch : "") + (report != null ? ", " + report : ""));
        return 0;
    }

    /** True for statements over learned concepts: judged by measurement on held-out data, not proved. */
    static boolean measured(RuleReport rr) {
        return rr.method().startsWith("measured");
    }

    /** {@code decisions unchanged 99.80% (max |dy| 0.123, 5000 samples)}, or n/a without samples. */
    static String fidelity(Fidelity f) {
        if (!f.measured()) {
            return "decisions unchanged n/a (no samples)";
        }
        return String.format(Locale.ROOT, "decisions unchanged %.2f%% (max |dy| %.3g, %d samples)",
                100 * f.decisionAgreement(), f.maxOutputChange(), f.samples());
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
