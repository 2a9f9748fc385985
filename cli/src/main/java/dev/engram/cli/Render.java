package dev.engram.cli;

import dev.engram.compile.CompileResult;
import dev.engram.compile.RuleReport;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Obligation;
import dev.engram.validate.Fidelity;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.source.SourceFile;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/** How the commands print the library's values: diagnostics with their source lines, messages with the command. */
final class Render {
    private Render() {
    }

    /** Prints the diagnostics {@code which} selects, each with the line of the source it points into. */
    static void diagnostics(PrintStream out, List<Diagnostic> ds, List<SourceFile> sources,
                            Predicate<Diagnostic> which) {
        for (Diagnostic d : ds) {
            if (which.test(d)) {
                SourceFile shown = sources.stream().filter(s -> s.path().equals(d.span().file())).findFirst()
                        .orElse(null);
                out.print(DiagnosticRenderer.text(d, shown));
            }
        }
    }

    /**
     * What {@code engram compile} prints: diagnostics of the front end (stderr), one line per obligation, the
     * counterexamples ({@code E061}, stderr), the strategies the compiler chose, and fidelity.
     */
    static void compileResult(CompileResult r) {
        diagnostics(System.err, r.diagnostics(), r.sources(), d -> d.code() != DiagnosticCode.E061);
        r.message().ifPresent(m -> System.err.println("engram compile: " + m));
        if (r.rules().isEmpty()) {
            return;
        }
        for (RuleReport rr : r.rules()) {
            System.out.printf(Locale.ROOT, "%-28s %-8s %-10s +%d units, %d params changed, %d added  %-7s "
                            + "lower %.3f s, check %.3f s%n", rr.name(), rr.kind(), rr.strategy(), rr.unitsAdded(),
                    rr.changes().parametersChanged(), rr.changes().parametersAdded(),
                    !rr.proved() ? rr.verdict().word() : rr.measured() ? "measured" : "proved", rr.lowerSeconds(),
                    rr.verifySeconds());
            if (rr.proved() && (rr.measurement().measured() || rr.kind().equals("monotone"))) {
                System.out.println("    " + rr.method());
            }
        }
        r.rules().stream().filter(rr -> rr.choice().startsWith("repair")).forEach(rr ->
                System.out.println("  " + rr.name() + ": auto chose the " + rr.choice()));
        diagnostics(System.err, r.diagnostics(), r.sources(), d -> d.code() == DiagnosticCode.E061);
        if (r.ir().obligations().stream().anyMatch(o -> o instanceof Obligation.Enforce)) {
            System.out.println("outside the rules' regions: " + fidelity(r.outside()));
        }
        System.out.printf(Locale.ROOT, "whole domain: %s; %.2f s%n", fidelity(r.wholeDomain()), r.seconds());
        if (!r.proved() && r.message().isEmpty()) {
            System.err.println("engram compile: not every rule was proved; the patched model was not written");
        }
    }

    /** {@code decisions unchanged 99.80% (max |dy| 0.123, 5000 samples)}, or n/a without samples. */
    static String fidelity(Fidelity f) {
        if (!f.measured()) {
            return "decisions unchanged n/a (no samples)";
        }
        return String.format(Locale.ROOT, "decisions unchanged %.2f%% (max |dy| %.3g, %d samples)",
                100 * f.decisionAgreement(), f.maxOutputChange(), f.samples());
    }

    static void diagnostics(PrintStream out, List<Diagnostic> ds, List<SourceFile> sources) {
        diagnostics(out, ds, sources, d -> true);
    }
}
