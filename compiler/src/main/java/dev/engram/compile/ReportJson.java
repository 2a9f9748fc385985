package dev.engram.compile;

import dev.engram.diag.DiagnosticRenderer;
import dev.engram.verify.Verdict;

import java.util.Locale;

/** The compile report as JSON: model hashes, per-rule strategy, units, verdict, times and fidelity. */
final class ReportJson {
    private ReportJson() {
    }

    static String of(CompileRequest req, CompileResult r) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"compiler\": ").append(q(Compiler.VERSION)).append(",\n");
        sb.append("  \"model\": ").append(q(req.model().toString())).append(",\n");
        sb.append("  \"baseSha256\": ").append(q(r.patch().provenance().baseSha256())).append(",\n");
        sb.append("  \"resultSha256\": ").append(q(r.patch().provenance().resultSha256())).append(",\n");
        sb.append("  \"decision\": ").append(q(req.decision().name().toLowerCase(Locale.ROOT))).append(",\n");
        sb.append("  \"proved\": ").append(r.proved()).append(",\n");
        sb.append("  \"seconds\": ").append(num(r.seconds())).append(",\n");
        sb.append("  \"wholeDomain\": ").append(fid(r.wholeDomain())).append(",\n");
        sb.append("  \"rules\": [");
        for (int k = 0; k < r.rules().size(); k++) {
            RuleReport rr = r.rules().get(k);
            sb.append(k == 0 ? "\n" : ",\n").append("    {\"name\": ").append(q(rr.name()))
                    .append(", \"source\": ").append(q(rr.span().toString()))
                    .append(", \"kind\": ").append(q(rr.kind()))
                    .append(", \"strategy\": ").append(q(rr.strategy()))
                    .append(", \"unitsAdded\": ").append(rr.unitsAdded())
                    .append(", \"parametersChanged\": ").append(rr.changes().parametersChanged())
                    .append(", \"parametersAdded\": ").append(rr.changes().parametersAdded())
                    .append(", \"layersTouched\": ").append(strings(rr.changes().layers()))
                    .append(", \"maxAbsChange\": ").append(num(rr.changes().maxAbsChange()))
                    .append(", \"correction\": ").append(java.util.Arrays.toString(rr.correction()))
                    .append(", \"verdict\": ").append(q(rr.verdict().word()))
                    .append(", \"proved\": ").append(rr.proved())
                    .append(", \"method\": ").append(q(rr.method()))
                    .append(", \"lowerSeconds\": ").append(num(rr.lowerSeconds()))
                    .append(", \"verifySeconds\": ").append(num(rr.verifySeconds()))
                    .append(", \"outsideRegion\": ").append(fid(rr.outside()));
            if (rr.verdict() instanceof Verdict.Sat s) {
                sb.append(", \"counterexample\": {\"input\": ").append(java.util.Arrays.toString(s.input()))
                        .append(", \"output\": ").append(java.util.Arrays.toString(s.output()))
                        .append(", \"inputReal\": ").append(q(req.units().inputs(s.input())))
                        .append(", \"outputReal\": ").append(q(req.units().outputs(s.output()))).append('}');
            } else if (rr.verdict() instanceof Verdict.Unknown u) {
                sb.append(", \"reason\": ").append(q(u.reason()));
            }
            sb.append('}');
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String strings(java.util.List<String> xs) {
        return "[" + String.join(", ", xs.stream().map(ReportJson::q).toList()) + "]";
    }

    private static String fid(Fidelity f) {
        return "{\"samples\": " + f.samples() + ", \"decisionAgreement\": " + num(f.decisionAgreement())
                + ", \"maxOutputChange\": " + num(f.maxOutputChange()) + "}";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String q(String s) {
        return DiagnosticRenderer.jsonString(s == null ? "" : s);
    }
}
