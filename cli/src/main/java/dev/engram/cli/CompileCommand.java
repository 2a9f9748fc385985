package dev.engram.cli;

import dev.engram.ir.Decision;

import dev.engram.compile.CompileDiagnostics;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.ProgramToObligations;
import dev.engram.compile.RuleCompiler;
import dev.engram.compile.RuleReport;
import dev.engram.compile.Units;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.properties.VnnlibFile;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code engram compile [RULES.engram] [--model M] [--enforce P.vnnlib]... --out PATCHED}: lowers the rules of a
 * rule file (and/or VNN-LIB properties to enforce) into the model, proves every one on the patched model as
 * written, and writes the model, the patch and a report. Exit 0 when everything is proved, 1 for errors in the
 * rules, 2 for usage or I/O problems, 3 when an obligation could not be proved (then no model or patch is written).
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

    @Option(names = "--delta", paramLabel = "D", defaultValue = "0.01",
            description = "guard margin, as a fraction of each input's domain (rules) or region (--enforce) width "
                    + "(default ${DEFAULT-VALUE})")
    double delta;

    @Option(names = "--domain", paramLabel = "LO:HI,...", description = "input domain for fidelity sampling (model units)")
    String domain;

    @Option(names = "--decide", paramLabel = "argmin|argmax",
            description = "how the model decides, for fidelity (default: the rule file's, else argmin)")
    String decide;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "5000", description = "fidelity samples (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120", description = "verification budget per rule")
    double timeout;

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
        SourceFile source = null;
        List<Obligation> obligations = new ArrayList<>();
        CompileRequest.Builder req = CompileRequest.builder();
        Path modelPath = model;
        if (rules != null) {
            try {
                source = SourceFiles.read(rules);
            } catch (IOException e) {
                System.err.println("engram compile: cannot read " + rules + ": " + e.getMessage());
                return 2;
            }
            Path base = rules.toAbsolutePath().getParent();
            RuleCompiler.Front front = RuleCompiler.front(source, base, Optional.ofNullable(model), delta);
            System.err.print(DiagnosticRenderer.text(front.diagnostics(), source));
            if (front.diagnostics().stream().anyMatch(Diagnostic::isError)) {
                return 1;
            }
            if (front.model().isEmpty()) {
                System.err.println("engram compile: no model: give --model or declare one in " + rules);
                return 2;
            }
            if (!front.ok()) {
                return 1;
            }
            modelPath = front.model().get();
            ProgramToObligations.Translation t = front.translation().orElseThrow();
            obligations.addAll(t.obligations());
            req.optDomain(t.domain()).optDecision(t.decision()).optUnits(t.units()).optRulesSha256(front.rulesSha256());
        } else if (model == null) {
            System.err.println("engram compile: --model is required with --enforce alone");
            return 2;
        }
        DenseNetwork net = Models.load(modelPath).dense();
        Obligation.Strategy enforceStrategy = strategy.equals("repair") ? Obligation.Strategy.REPAIR
                : Obligation.Strategy.GUARD;
        for (Path p : enforce) {
            VnnlibFile f = VnnlibFile.read(p, net.inputSize(), net.outputSize());
            for (Diagnostic d : f.diagnostics()) {
                System.err.print(DiagnosticRenderer.text(d, f.source()));
            }
            if (!f.ok()) {
                return 2;
            }
            for (Property prop : f.properties()) {
                obligations.addAll(ProgramToObligations.perBox(prop, prop.name(), Span.of(p.toString(), 1, 1, 1, 1),
                        enforceStrategy, delta));
            }
        }
        if (obligations.isEmpty()) {
            System.err.println("engram compile: nothing to compile in " + rules);
            return 1;
        }
        if (domain != null) {
            req.optDomain(parseDomain(domain));
        }
        if (decide != null) {
            req.optDecision(decide.equalsIgnoreCase("argmax") ? Decision.ARGMAX : Decision.ARGMIN);
        }
        req.setModel(modelPath).setObligations(obligations).optPatch(patch).optReport(report).optVerifyTimeout(timeout)
                .optFidelitySamples(samples);
        CompileRequest request = req.build();
        CompileResult r;
        try {
            r = Compiler.compile(request);
        } catch (Compiler.LoweringException e) {
            print(CompileDiagnostics.notLowered(e), source);
            return 3;
        }
        Units units = request.units();
        for (RuleReport rr : r.rules()) {
            System.out.printf(Locale.ROOT, "%-28s %-8s %-10s +%d units, %d params changed, %d added  %-7s "
                            + "lower %.3f s, check %.3f s%n", rr.name(), rr.kind(), rr.strategy(), rr.unitsAdded(),
                    rr.changes().parametersChanged(), rr.changes().parametersAdded(), rr.proved() ? "proved" : rr.verdict().word(), rr.lowerSeconds(),
                    rr.verifySeconds());
        }
        for (Diagnostic d : CompileDiagnostics.notProved(r, units)) {
            print(d, source);
        }
        if (obligations.stream().anyMatch(o -> o instanceof Obligation.Enforce)) {
            RuleReport any = r.rules().get(0);
            System.out.printf(Locale.ROOT, "outside the rules' regions: decisions unchanged %.2f%% (max |dy| %.3g, "
                            + "%d samples)%n", 100 * any.outside().decisionAgreement(), any.outside().maxOutputChange(),
                    any.outside().samples());
        }
        System.out.printf(Locale.ROOT, "whole domain: decisions unchanged %.2f%% (max |dy| %.3g, %d samples); %.2f s%n",
                100 * r.wholeDomain().decisionAgreement(), r.wholeDomain().maxOutputChange(),
                r.wholeDomain().samples(), r.seconds());
        if (!r.proved()) {
            System.err.println("engram compile: not every rule was proved; the patched model was not written");
            return 3;
        }
        r.patched().write(out);
        System.out.println("wrote " + out + (patch != null ? ", " + patch : "") + (report != null ? ", " + report : ""));
        return 0;
    }

    private static void print(Diagnostic d, SourceFile source) {
        SourceFile shown = source != null && source.path().equals(d.span().file()) ? source : null;
        System.err.print(DiagnosticRenderer.text(d, shown));
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
