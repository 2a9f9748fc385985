package dev.engram.report;

import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.RuleReport;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.io.AtomicFiles;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.verify.Verdict;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The compile report for people: one self-contained HTML file (inline CSS and SVG, no script, no network: its
 * content security policy forbids fetching anything), written next to the JSON report for tools. Per rule: its
 * source, strategy, verdict and how it was proved, what changed, the counterexample in real units when there is
 * one, and a 2-D decision slice before and after the patch with the rule's region outlined; for statements over
 * learned concepts, the neural-code map and the measured figures ({@link ConceptSection}). Hand-written HTML and SVG:
 * a page, a heatmap and three small charts per rule do not need a templating or charting library.
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    /** Writes the HTML report to {@code html} and the JSON report beside it ({@code .json} for {@code .html}). */
    public static void write(Path html, CompileResult r) {
        Path json = jsonBeside(html);
        ReportJson.write(json, r);
        AtomicFiles.write(html, page(r, json.getFileName().toString()).getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON report's path for an HTML report's path. */
    public static Path jsonBeside(Path html) {
        String name = html.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".html") ? name.substring(0, name.length() - 5) : name;
        return html.resolveSibling(stem + ".json");
    }

    /** The page. */
    public static String page(CompileResult r, String jsonName) {
        String model = r.model().map(p -> p.getFileName().toString()).orElse("model");
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'; img-src data:\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Engram report: ").append(Html.esc(model)).append("</title><style>")
                .append(CSS).append("</style></head><body>\n");
        b.append("<header><h1>Engram report <small>").append(Html.esc(model)).append("</small></h1>")
                .append(badge(r.proved() ? "ok" : "bad", r.proved() ? (r.rules().stream()
                        .anyMatch(RuleReport::measured) ? "every rule proved or measured within its limits"
                        : "every rule proved") : r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ')))
                .append("</header>\n");
        b.append(facts(r));
        b.append(summary(r));
        b.append(fidelity(r));
        b.append(diagnostics(r));
        b.append(ConceptSection.html(r));
        DenseNetwork original = original(r);
        for (RuleReport rr : r.rules()) {
            b.append(rule(r, rr, original));
        }
        b.append("<footer>Written by ").append(Html.esc(Compiler.VERSION)).append(". For tools: <code>")
                .append(Html.esc(jsonName)).append("</code> (same folder).</footer>\n</body></html>\n");
        return b.toString();
    }

    private static String badge(String cls, String text) {
        return "<span class=\"badge " + cls + "\">" + Html.esc(text) + "</span>";
    }

    private static String facts(CompileResult r) {
        StringBuilder b = new StringBuilder("<table class=\"facts\">");
        row(b, "model", r.model().map(Path::toString).orElse("(none)"));
        row(b, "rules", String.join(", ", r.sources().stream().map(SourceFile::path).toList()));
        if (r.patch() != null) {
            row(b, "original SHA-256", r.patch().provenance().baseSha256());
            row(b, "patched SHA-256", r.patch().provenance().resultSha256());
        }
        if (r.proof() != null) {
            row(b, "proof", "every verdict below is on the file as written, read back from disk ("
                    + r.proof().validatedFile().getFileName() + (r.proof().published()
                    ? "), then renamed into place" : "), not published: not every rule was proved"));
        }
        if (r.ir() != null) {
            row(b, "decision", r.ir().decision().name().toLowerCase(Locale.ROOT) + " of the outputs");
        }
        row(b, "time", String.format(Locale.ROOT, "%.2f s", r.seconds()));
        return b.append("</table>\n").toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("<tr><th>").append(Html.esc(k)).append("</th><td>").append(Html.esc(v)).append("</td></tr>");
    }

    private static String summary(CompileResult r) {
        if (r.rules().isEmpty()) {
            return "<p>No rule was compiled: see the diagnostics below.</p>\n";
        }
        StringBuilder b = new StringBuilder("<h2>Rules</h2><table class=\"rules\"><tr><th>rule</th><th>kind</th>"
                + "<th>strategy</th><th>verdict</th><th>how</th><th>what changed</th><th>time</th></tr>");
        for (RuleReport rr : r.rules()) {
            b.append("<tr><td><a href=\"#").append(anchor(rr.name())).append("\">").append(Html.esc(rr.name()))
                    .append("</a></td><td>").append(Html.esc(rr.kind())).append("</td><td>")
                    .append(Html.esc(rr.strategy())).append("</td><td>").append(verdictBadge(rr)).append("</td><td>")
                    .append(rr.measured() ? "measured on held-out and test data, not proved (<a href=\"#concepts\">"
                            + "figures</a>)" : Html.esc(rr.method())).append("</td><td>").append(Html.esc(changes(rr)))
                    .append(String.format(Locale.ROOT, "</td><td>%.3f s</td></tr>", rr.lowerSeconds()
                            + rr.verifySeconds()));
        }
        return b.append("</table>\n").toString();
    }

    static String verdictBadge(RuleReport rr) {
        return rr.proved() ? badge("ok", rr.measured() ? "measured" : "proved") : rr.verdict() instanceof Verdict.Sat
                ? badge("bad", "violated") : badge("warn", rr.verdict().word());
    }

    private static String changes(RuleReport rr) {
        List<String> parts = new ArrayList<>();
        if (rr.unitsAdded() > 0) {
            parts.add("+" + rr.unitsAdded() + " units");
        }
        if (rr.changes().parametersAdded() > 0) {
            parts.add(rr.changes().parametersAdded() + " parameters added");
        }
        if (rr.changes().parametersChanged() > 0) {
            parts.add(rr.changes().parametersChanged() + " parameters changed (max |Δ| "
                    + Html.num(rr.changes().maxAbsChange()) + ")");
        }
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    private static String fidelity(CompileResult r) {
        if (r.wholeDomain() == null) {
            return "";
        }
        StringBuilder b = new StringBuilder("<h2>Fidelity</h2><table class=\"facts\">");
        boolean regions = r.ir() != null && r.ir().obligations().stream().anyMatch(o -> o instanceof Obligation.Enforce);
        if (regions && r.outside() != null && r.outside().measured()) {
            row(b, "decisions unchanged outside the rules' regions", Html.pct(r.outside().decisionAgreement())
                    + " of " + r.outside().samples() + " samples (largest output change "
                    + Html.num(r.outside().maxOutputChange()) + ")");
        }
        if (r.wholeDomain().measured()) {
            row(b, "decisions unchanged on the whole domain", Html.pct(r.wholeDomain().decisionAgreement()) + " of "
                    + r.wholeDomain().samples() + " samples (largest output change "
                    + Html.num(r.wholeDomain().maxOutputChange()) + ")");
        }
        return b.append("</table>\n").toString();
    }

    private static String diagnostics(CompileResult r) {
        if (r.diagnostics().isEmpty() && r.message().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("<h2>Diagnostics</h2>");
        r.message().ifPresent(m -> b.append("<p class=\"bad\">").append(Html.esc(m)).append("</p>"));
        for (Diagnostic d : r.diagnostics()) {
            SourceFile src = source(r, d.span()).orElse(null);
            b.append("<pre class=\"diag ").append(d.severity().label()).append("\">")
                    .append(Html.esc(DiagnosticRenderer.text(d, src))).append("</pre>");
        }
        return b.append('\n').toString();
    }

    private static String rule(CompileResult r, RuleReport rr, DenseNetwork original) {
        StringBuilder b = new StringBuilder("<section class=\"rule\" id=\"").append(anchor(rr.name())).append("\">");
        b.append("<h3>").append(Html.esc(rr.name())).append(' ').append(verdictBadge(rr)).append("</h3>");
        source(r, rr.span()).ifPresent(src -> b.append("<pre class=\"src\">").append(Html.esc(text(src, rr.span())))
                .append("</pre><p class=\"where\">").append(Html.esc(rr.span().toString())).append("</p>"));
        b.append("<table class=\"facts\">");
        row(b, "kind, strategy", rr.kind() + ", " + rr.strategy());
        row(b, "verdict on the written model", rr.measured() ? (rr.proved() ? "within its measured limits" : "not "
                + "within its measured limits") + " (measured, not proved: see the figures above)"
                : rr.verdict().word() + (rr.proved() ? " (the rule holds)" : ""));
        row(b, rr.measured() ? "how it was judged" : "how it was proved", rr.method());
        row(b, "what changed", changes(rr) + (rr.changes().layers().isEmpty() ? ""
                : " in " + String.join(", ", rr.changes().layers())));
        if (rr.correction().length > 0) {
            row(b, "guard output correction", java.util.Arrays.stream(rr.correction()).mapToObj(Html::num)
                    .toList().toString());
        }
        if (rr.verdict() instanceof Verdict.Sat s) {
            row(b, "counterexample", r.units().inputs(s.input()) + "  →  " + r.units().outputs(s.output()));
            s.partner().ifPresent(w -> row(b, "and with", r.units().inputs(w.input()) + "  →  "
                    + r.units().outputs(w.output())));
        } else if (rr.verdict() instanceof Verdict.Unknown u) {
            row(b, "why no verdict", u.reason());
        }
        row(b, "time", String.format(Locale.ROOT, "lowering %.3f s, proof %.3f s", rr.lowerSeconds(),
                rr.verifySeconds()));
        b.append("</table>");
        Optional<Obligation> ob = r.ir() == null ? Optional.empty() : r.ir().obligations().stream()
                .filter(o -> o.name().equals(rr.name())).findFirst();
        if (ob.isPresent() && original != null && r.patched() != null) {
            Slice.of(ob.get(), r.ir().domain(), r.units(), r.ir().decision(), original, r.patched().dense())
                    .ifPresent(s -> b.append(SliceSvg.draw(s)));
        }
        return b.append("</section>\n").toString();
    }

    /** The model before the patch: the patch taken back out of the patched model (nothing is read again). */
    private static DenseNetwork original(CompileResult r) {
        if (r.patched() == null || r.patch() == null) {
            return null;
        }
        try {
            return r.patch().revert(r.patched()).dense();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Optional<SourceFile> source(CompileResult r, Span span) {
        return r.sources().stream().filter(s -> s.path().equals(span.file())).findFirst();
    }

    /** The statement's lines with the doc comment above it. */
    private static String text(SourceFile src, Span span) {
        int first = span.start().line();
        while (first > 1 && src.line(first - 1).strip().startsWith("///")) {
            first--;
        }
        StringBuilder b = new StringBuilder();
        for (int l = first; l <= Math.max(span.start().line(), span.end().line()) && l - first < 40; l++) {
            b.append(src.line(l, 300)).append('\n');
        }
        return b.toString().stripTrailing();
    }

    static String anchor(String name) {
        return "rule-" + name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    private static final String CSS = """
            body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;\
            padding:24px;color:#1d2330;background:#fafbfc}
            h1{font-size:26px;margin:0 0 6px}h1 small{font-weight:400;color:#5b6473;font-size:18px}
            h2{font-size:19px;margin:28px 0 10px;border-bottom:1px solid #dde1e7;padding-bottom:4px}
            h3{font-size:17px;margin:0 0 8px}
            header{display:flex;align-items:center;gap:16px;flex-wrap:wrap}
            .badge{display:inline-block;white-space:nowrap;padding:2px 10px;border-radius:12px;font-size:13px;font-weight:600;color:#fff}
            .badge.ok{background:#2e7d32}.badge.bad{background:#c62828}.badge.warn{background:#ef6c00}
            table{border-collapse:collapse;margin:6px 0 10px}th,td{text-align:left;padding:4px 10px;\
            border-bottom:1px solid #e6e9ee;vertical-align:top}
            table.facts th{font-weight:500;color:#5b6473;white-space:nowrap}table.rules th{background:#eef1f5}
            td{word-break:break-word}table.rules td:nth-child(-n+4){white-space:nowrap}
            pre{background:#f1f3f6;padding:10px 12px;border-radius:6px;overflow-x:auto;font-size:13px}
            pre.src{border-left:4px solid #4e79a7}pre.diag.error{border-left:4px solid #c62828}
            pre.diag.warning{border-left:4px solid #ef6c00}
            .where{color:#5b6473;font-size:12px;margin:-6px 0 8px}
            section.rule{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px 18px;margin:16px 0}
            .slices{display:flex;flex-wrap:wrap;gap:6px}figure{margin:0}figcaption{font-size:13px;color:#5b6473;\
            text-align:center}
            svg text{font-size:11px;fill:#3b4250}svg .end{text-anchor:end}svg .mid{text-anchor:middle}
            svg .label{font-size:12px}
            svg rect.box{fill:none;stroke:#111;stroke-width:2}
            svg rect.reach{fill:none;stroke:#111;stroke-width:1;stroke-dasharray:4 3}
            .legend span{margin-right:14px;font-size:13px}.legend i{display:inline-block;width:12px;height:12px;\
            margin-right:5px;vertical-align:-1px;border-radius:2px}
            .legend i.box{border:2px solid #111;width:9px;height:9px}.legend i.reach{border:1px dashed #111;width:10px;\
            height:10px}
            .fixed,.muted{color:#5b6473;font-size:13px}.bad{color:#c62828}
            figure.map{margin:10px 0}svg text.ink.light{fill:#fff}svg text.small{font-size:10px}
            svg rect.used{fill:none;stroke:#e15759;stroke-width:3}svg rect.weak{fill:none;stroke:#c62828;\
            stroke-width:1.5;stroke-dasharray:3 2}
            .legend i.used{border:3px solid #e15759;width:8px;height:8px;background:none}
            section.concept{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 18px;margin:12px 0}
            table.figures td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            table.figures th{background:#eef1f5}table.figures tr.miss td{background:#fdecea}
            p.region{padding:8px 12px;border-radius:6px;font-size:14px}p.region.ok{background:#e8f5e9}\
            p.region.warn{background:#fff3e0}p.region.bad{background:#fdecea;color:inherit}
            footer{margin-top:30px;color:#5b6473;font-size:13px}
            """;
}
