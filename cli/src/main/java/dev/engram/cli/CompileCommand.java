package dev.engram.cli;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.RuleReport;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.properties.VnnlibFile;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code engram compile --model M --enforce P.vnnlib --out PATCHED}: lowers the rules into the model, verifies each
 * on the patched model and writes the model, the patch and a report. Exit 0 when every rule is proved, 3 when a
 * rule could not be proved (nothing is written then), 2 for bad input.
 */
@Command(name = "compile", description = "Compile rules into a model's weights and prove them on the result.")
public final class CompileCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model file (.onnx, .nnet)")
    Path model;

    @Option(names = "--enforce", required = true, paramLabel = "P.vnnlib",
            description = "enforce a VNN-LIB property: its unsafe set must become unreachable over its region")
    List<Path> enforce;

    @Option(names = "--out", required = true, paramLabel = "PATCHED", description = "where to write the patched model")
    Path out;

    @Option(names = "--patch", paramLabel = "P.epatch", description = "also write the patch")
    Path patch;

    @Option(names = "--report", paramLabel = "R.json", description = "also write a JSON report")
    Path report;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "0.01",
            description = "guard margin, as a fraction of each input's region width (default ${DEFAULT-VALUE})")
    double delta;

    @Option(names = "--domain", paramLabel = "LO:HI,...", description = "input domain for fidelity sampling (model units)")
    String domain;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120", description = "verification budget per rule")
    double timeout;

    @Override
    public Integer call() {
        DenseNetwork net = Models.load(model).dense();
        List<Obligation> obligations = new ArrayList<>();
        for (Path p : enforce) {
            VnnlibFile f = VnnlibFile.read(p, net.inputSize(), net.outputSize());
            for (Diagnostic d : f.diagnostics()) {
                System.err.print(DiagnosticRenderer.text(d, f.source()));
            }
            if (!f.ok()) {
                return 2;
            }
            for (Property prop : f.properties()) {
                for (Box b : prop.region().boxes()) {
                    double[] dl = new double[b.dimension()];
                    for (int i = 0; i < dl.length; i++) {
                        dl[i] = Math.max(1e-6, delta * (b.hi()[i] - b.lo()[i]));
                    }
                    Property one = new Property(prop.name(), new dev.engram.verify.InputRegion(List.of(b),
                            prop.region().constraints()), prop.unsafe());
                    obligations.add(new Obligation(prop.name(), Span.of(p.toString(), 1, 1, 1, 1), one,
                            Obligation.Strategy.GUARD, dl));
                }
            }
        }
        CompileRequest.Builder req = CompileRequest.builder().setModel(model).setObligations(obligations)
                .optPatch(patch).optReport(report).optVerifyTimeout(timeout);
        if (domain != null) {
            req.optDomain(parseDomain(domain));
        }
        // compile without writing the model first; write only when every rule is proved
        CompileResult r = Compiler.compile(req.build());
        for (RuleReport rr : r.rules()) {
            System.out.printf(Locale.ROOT, "%-28s %-6s +%d units  %-7s lower %.3f s, verify %.3f s, outside-region "
                            + "decisions unchanged %.2f%% (max |dy| %.3g, %d samples)%n", rr.name(), rr.strategy(),
                    rr.unitsAdded(), rr.verdict().word(), rr.lowerSeconds(), rr.verifySeconds(),
                    100 * rr.outside().decisionAgreement(), rr.outside().maxOutputChange(), rr.outside().samples());
            if (rr.verdict() instanceof Verdict.Sat s) {
                System.err.println(rr.span() + ": error: rule '" + rr.name() + "' does not hold on the patched model; "
                        + "counterexample input " + Arrays.toString(s.input()) + " gives " + Arrays.toString(s.output()));
            }
        }
        System.out.printf(Locale.ROOT, "whole domain: decisions unchanged %.2f%% (max |dy| %.3g, %d samples); %.2f s%n",
                100 * r.wholeDomain().decisionAgreement(), r.wholeDomain().maxOutputChange(),
                r.wholeDomain().samples(), r.seconds());
        if (!r.proved()) {
            System.err.println("engram: not every rule was proved; the patched model was not written");
            return 3;
        }
        r.patched().write(out);
        System.out.println("wrote " + out + (patch != null ? ", " + patch : "") + (report != null ? ", " + report : ""));
        return 0;
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
