package dev.engram.report;

import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.RuleReport;
import dev.engram.ir.Units;
import dev.engram.model.io.AtomicFiles;
import dev.engram.validate.Fidelity;
import dev.engram.verify.Verdict;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The compile report as JSON, for tools: model hashes, the outcome, fidelity, and per obligation its strategy,
 * what changed, the verdict on the written file with how it was proved, times, and a counterexample in model and
 * real units. The shape is documented (with an example) in {@code docs/compiler.md}.
 */
public final class ReportJson {
    private ReportJson() {
    }

    /** The whole report. */
    public record Report(String compiler, String model, String baseSha256, String resultSha256, String decision,
                         boolean proved, String outcome, double seconds, FidelityJson outsideRegions,
                         FidelityJson wholeDomain, List<Rule> rules) {
    }

    /** Fidelity; {@code decisionAgreement} is null when no sample was drawn. */
    public record FidelityJson(int samples, Double decisionAgreement, double maxOutputChange) {
        static FidelityJson of(Fidelity f) {
            return f == null ? null : new FidelityJson(f.samples(), f.measured() ? f.decisionAgreement() : null,
                    f.maxOutputChange());
        }
    }

    /** One obligation. */
    public record Rule(String name, String source, String kind, String strategy, int unitsAdded,
                       long parametersChanged, long parametersAdded, List<String> layersTouched, double maxAbsChange,
                       double[] correction, String verdict, boolean proved, String method, double lowerSeconds,
                       double verifySeconds, String choice, Counterexample counterexample, String reason) {
    }

    /** A counterexample in model units and in the rule file's real units. */
    public record Counterexample(double[] input, double[] output, String inputReal, String outputReal,
                                 Counterexample partner) {
    }

    /** The report of {@code r}. */
    public static Report of(CompileResult r) {
        Units units = r.units();
        List<Rule> rules = r.rules().stream().map(rr -> rule(rr, units)).toList();
        return new Report(Compiler.VERSION, r.model().map(Path::toString).orElse(""),
                r.patch() == null ? "" : r.patch().provenance().baseSha256(),
                r.patch() == null ? "" : r.patch().provenance().resultSha256(),
                r.ir() == null ? "" : r.ir().decision().name().toLowerCase(Locale.ROOT), r.proved(),
                r.outcome().name().toLowerCase(Locale.ROOT), r.seconds(), FidelityJson.of(r.outside()),
                FidelityJson.of(r.wholeDomain()), rules);
    }

    private static Rule rule(RuleReport rr, Units units) {
        Counterexample cx = null;
        String reason = null;
        if (rr.verdict() instanceof Verdict.Sat s) {
            Counterexample second = s.partner().map(w -> new Counterexample(w.input(), w.output(),
                    units.inputs(w.input()), units.outputs(w.output()), null)).orElse(null);
            cx = new Counterexample(s.input(), s.output(), units.inputs(s.input()), units.outputs(s.output()), second);
        } else if (rr.verdict() instanceof Verdict.Unknown u) {
            reason = u.reason();
        }
        return new Rule(rr.name(), rr.span().toString(), rr.kind(), rr.strategy(), rr.unitsAdded(),
                rr.changes().parametersChanged(), rr.changes().parametersAdded(), rr.changes().layers(),
                rr.changes().maxAbsChange(), rr.correction(), rr.verdict().word(), rr.proved(), rr.method(),
                rr.lowerSeconds(), rr.verifySeconds(), rr.choice().isEmpty() ? null : rr.choice(), cx, reason);
    }

    /** Writes the report of {@code r} to {@code path} atomically. */
    public static void write(Path path, CompileResult r) {
        AtomicFiles.write(path, Json.write(of(r)).getBytes(StandardCharsets.UTF_8));
    }
}
