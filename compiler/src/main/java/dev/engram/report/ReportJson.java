package dev.engram.report;

import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.RuleReport;
import dev.engram.ir.ConceptCode;
import dev.engram.ir.Measurement;
import dev.engram.ir.Obligation;
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
 * what changed, the verdict on the written file with how it was proved, times, a counterexample in model and
 * real units, and for statements over learned concepts what they were measured by (and the concept's map row). The shape is documented (with an example) in {@code docs/compiler.md}.
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
                       double verifySeconds, String choice, Counterexample counterexample, String reason,
                       Measured measured) {
    }

    /**
     * What a statement over a learned concept was judged by: the concept's code (the layer edited, and its row of
     * the neural-code map), the measured figures, and the formal part's verdict (null without input conditions).
     */
    public record Measured(String concept, int layer, int bestLayer, List<Quality> map, List<Figure> figures,
                           Region region) {
    }

    /** The concept probe's held-out quality at one layer (null when unmeasurable). */
    public record Quality(int layer, Double auc, Double accuracy) {
    }

    /** One measured figure: shares (points: a difference of shares), null where there is no value. */
    public record Figure(String name, Double value, Double before, String limit, Double bound, boolean points,
                         boolean meets, int examples, String on) {
    }

    /** The verifier's verdict on the premise's formal region; the counterexample in model units, if any. */
    public record Region(String verdict, boolean proved, boolean marked, String method, String meaning,
                         double[] counterexample) {
    }

    /** A counterexample in model units and in the rule file's real units. */
    public record Counterexample(double[] input, double[] output, String inputReal, String outputReal,
                                 Counterexample partner) {
    }

    /** The report of {@code r}. */
    public static Report of(CompileResult r) {
        Units units = r.units();
        List<Rule> rules = r.rules().stream().map(rr -> rule(rr, units, code(r, rr))).toList();
        return new Report(Compiler.VERSION, r.model().map(Path::toString).orElse(""),
                r.patch() == null ? null : r.patch().provenance().baseSha256(),
                r.patch() == null ? null : r.patch().provenance().resultSha256(),
                r.ir() == null ? "" : r.ir().decision().name().toLowerCase(Locale.ROOT), r.proved(),
                r.outcome().name().toLowerCase(Locale.ROOT), r.seconds(), FidelityJson.of(r.outside()),
                FidelityJson.of(r.wholeDomain()), rules);
    }

    /** The concept code of the statement {@code rr} reports on, or null for statements that are not over one. */
    private static ConceptCode code(CompileResult r, RuleReport rr) {
        if (r.ir() == null) {
            return null;
        }
        for (Obligation ob : r.ir().obligations()) {
            if (ob.name().equals(rr.name()) && ob.span().equals(rr.span())) {
                return ob instanceof Obligation.ConceptRule c ? c.code() : ob instanceof Obligation.Erase e
                        ? e.code() : ob instanceof Obligation.ConceptSteer st ? st.code() : null;
            }
        }
        return null;
    }

    private static Measured measured(Measurement m, ConceptCode code) {
        if (code == null && !m.measured()) {
            return null;
        }
        List<Figure> figures = m.figures().stream().map(f -> new Figure(f.name(), nan(f.value()), nan(f.before()),
                f.limit().name().toLowerCase(Locale.ROOT), f.limit() == Measurement.Limit.NONE ? null
                : nan(f.bound()), f.points(), f.meets(), f.examples(), f.on())).toList();
        Region region = null;
        if (m.region() != null) {
            Measurement.RegionCheck rc = m.region();
            region = new Region(rc.verdict().word(), rc.proved(), rc.marked(), rc.method(), rc.meaning(),
                    rc.verdict() instanceof Verdict.Sat s ? s.input() : null);
        }
        return code == null ? new Measured(null, -1, -1, List.of(), figures, region)
                : new Measured(code.concept(), code.layer(), code.bestLayer(), code.map().stream()
                .map(q -> new Quality(q.layer(), nan(q.auc()), nan(q.accuracy()))).toList(), figures, region);
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static Rule rule(RuleReport rr, Units units, ConceptCode code) {
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
                rr.lowerSeconds(), rr.verifySeconds(), rr.choice().isEmpty() ? null : rr.choice(), cx, reason,
                measured(rr.measurement(), code));
    }

    /** Writes the report of {@code r} to {@code path} atomically. */
    public static void write(Path path, CompileResult r) {
        AtomicFiles.write(path, Json.write(of(r)).getBytes(StandardCharsets.UTF_8));
    }
}
