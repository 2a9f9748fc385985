package dev.engram.report;

import dev.engram.compile.CompileResult;
import dev.engram.compile.RuleReport;
import dev.engram.ir.ConceptCode;
import dev.engram.ir.Measurement;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The report's section on statements over learned concepts: the neural-code map (a heatmap of each concept's held-out
 * probe quality at every tapped layer, the layer each statement edits outlined) and, per statement, the figures it
 * was judged by — efficacy, generalisation, locality and drawdown for a rule; fresh probes against the majority rate
 * for an erasure; the dose's effect for a steering — stated as measured on examples the edit never saw, not proved,
 * with the formal part's verdict where the rule's premise has input conditions.
 */
final class ConceptSection {
    private static final int NAME_W = 150;
    private static final int CELL_W = 118;
    private static final int CELL_H = 38;
    private static final int HEAD_H = 34;
    /** The colour scale's end: an AUC of 1 − 10⁻⁴ or better is the darkest cell. */
    private static final double MAX_NINES = 4;

    private ConceptSection() {
    }

    /** One concept statement: its report and its obligation. */
    private record Statement(RuleReport report, Obligation obligation, ConceptCode code) {
    }

    static String html(CompileResult r) {
        List<Statement> statements = statements(r);
        StringBuilder b = new StringBuilder("<h2 id=\"concepts\">Concept rules: the neural-code map</h2>");
        if (statements.isEmpty()) {
            return b.append("<p class=\"muted\">This compilation has no statement over a learned concept. Rules over ")
                    .append("concepts learned from examples (<code>concept NAME from \"file\"</code>), <code>erase")
                    .append("</code> and <code>steer toward</code> are shown here: where the model encodes each ")
                    .append("concept, and each edit's measured efficacy, locality and drawdown.</p>\n").toString();
        }
        b.append("<p class=\"muted\">A concept learned from examples has no formal region, so what is said here is ")
                .append("<strong>measured, not proved</strong>: on the held-out split of the concept's data and on ")
                .append("test data, which neither the dictionary nor the edit saw. Where a rule's premise also has ")
                .append("input conditions, the verifier's verdict on that region is given separately.</p>");
        b.append(heatmap(statements, r));
        for (Statement s : statements) {
            b.append(figures(s));
        }
        return b.append('\n').toString();
    }

    private static List<Statement> statements(CompileResult r) {
        List<Statement> out = new ArrayList<>();
        if (r.ir() == null) {
            return out;
        }
        for (RuleReport rr : r.rules()) {
            for (Obligation ob : r.ir().obligations()) {
                ConceptCode code = code(ob);
                if (code != null && ob.name().equals(rr.name()) && ob.span().equals(rr.span())) {
                    out.add(new Statement(rr, ob, code));
                    break;
                }
            }
        }
        return out;
    }

    private static ConceptCode code(Obligation ob) {
        return ob instanceof Obligation.ConceptRule c ? c.code() : ob instanceof Obligation.Erase e ? e.code()
                : ob instanceof Obligation.ConceptSteer s ? s.code() : null;
    }

    private static double minAuc(Obligation ob) {
        var p = ob instanceof Obligation.ConceptRule c ? c.policy() : ob instanceof Obligation.Erase e ? e.policy()
                : ob instanceof Obligation.ConceptSteer s ? s.policy() : null;
        return p == null ? Double.NaN : p.minAuc();
    }

    /** Concepts × layers, coloured by held-out AUC; the layers statements use outlined. */
    static String heatmap(List<Statement> statements, CompileResult r) {
        Map<String, ConceptCode> concepts = new LinkedHashMap<>();
        Map<String, Set<Integer>> used = new LinkedHashMap<>();
        TreeSet<Integer> layers = new TreeSet<>();
        double minAuc = Double.NaN;
        for (Statement s : statements) {
            concepts.putIfAbsent(s.code().concept(), s.code());
            used.computeIfAbsent(s.code().concept(), k -> new TreeSet<>()).add(s.code().layer());
            s.code().map().forEach(q -> layers.add(q.layer()));
            layers.add(s.code().layer());
            minAuc = Double.isNaN(minAuc) ? minAuc(s.obligation()) : minAuc;
        }
        DenseNetwork net = null;
        try {
            // a CNN's statements count the layers of its dense tail (layer 0: the flatten), as this network does
            net = r.patched() == null ? null : dev.engram.dict.EditableModel.network(r.patched());
        } catch (dev.engram.model.ModelException e) {
            // no unit counts
        }
        List<Integer> cols = new ArrayList<>(layers);
        int w = NAME_W + cols.size() * CELL_W + 2;
        int h = HEAD_H + concepts.size() * CELL_H + 2;
        StringBuilder b = new StringBuilder("<figure class=\"map\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(w).append("\" height=\"").append(h).append("\" viewBox=\"0 0 ").append(w).append(' ').append(h)
                .append("\" role=\"img\"><title>held-out AUC of each concept's probe at each layer</title>");
        for (int c = 0; c < cols.size(); c++) {
            int layer = cols.get(c);
            int x = NAME_W + c * CELL_W + CELL_W / 2;
            b.append(text(x, 14, "mid label", layer == 0 ? "input (layer 0)" : "layer " + layer));
            if (net != null && layer <= net.layers().size()) {
                int units = layer == 0 ? net.inputSize() : net.layers().get(layer - 1).outputSize();
                b.append(text(x, 28, "mid", units + " units"));
            }
        }
        int row = 0;
        for (ConceptCode code : concepts.values()) {
            int y = HEAD_H + row * CELL_H;
            b.append(text(NAME_W - 10, y + CELL_H / 2 + 4, "end label", code.concept()));
            for (int c = 0; c < cols.size(); c++) {
                int layer = cols.get(c);
                int x = NAME_W + c * CELL_W;
                ConceptCode.Quality q = code.map().stream().filter(m -> m.layer() == layer).findFirst().orElse(null);
                b.append(cell(x, y, q, !Double.isNaN(minAuc) && q != null && !(q.auc() >= minAuc),
                        layer == code.bestLayer()));
            }
            for (int layer : used.get(code.concept())) {
                int x = NAME_W + cols.indexOf(layer) * CELL_W;
                b.append(String.format(Locale.ROOT, "<rect class=\"used\" x=\"%d\" y=\"%d\" width=\"%d\" "
                        + "height=\"%d\"/>", x + 1, y + 1, CELL_W - 2, CELL_H - 2));
            }
            row++;
        }
        b.append("</svg><figcaption>").append(legend(minAuc)).append("</figcaption></figure>");
        return b.toString();
    }

    private static String cell(int x, int y, ConceptCode.Quality q, boolean weak, boolean best) {
        if (q == null) {
            return String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f3f4f6\"/>",
                    x, y, CELL_W, CELL_H) + text(x + CELL_W / 2, y + CELL_H / 2 + 4, "mid", "not tapped");
        }
        double t = shade(q.auc());
        String ink = t > 0.55 ? "ink light" : "ink";
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
                + "height=\"%d\" fill=\"%s\" stroke=\"#fff\"/>", x, y, CELL_W, CELL_H, colour(t)));
        if (weak) {
            b.append(String.format(Locale.ROOT, "<rect class=\"weak\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
                    x + 3, y + 3, CELL_W - 6, CELL_H - 6));
        }
        b.append(text(x + CELL_W / 2, y + 16, "mid " + ink, String.format(Locale.ROOT, "%.4f%s%s", q.auc(),
                weak ? " *" : "", best ? " ★" : "")));
        b.append(text(x + CELL_W / 2, y + 30, "mid small " + ink, Double.isNaN(q.accuracy()) ? "accuracy n/a"
                : String.format(Locale.ROOT, "accuracy %.1f%%", 100 * q.accuracy())));
        return b.toString();
    }

    /** Where an AUC sits on the colour scale, 0..1: its "nines", {@code −log10(1 − AUC)}, over {@value #MAX_NINES}. */
    static double shade(double auc) {
        if (Double.isNaN(auc) || auc <= 0.5) {
            return 0;
        }
        double nines = -Math.log10(Math.max(1 - auc, 1e-12));
        return Math.min(1, nines / MAX_NINES);
    }

    /** A sequential blue scale from near-white (0) to dark blue (1). */
    static String colour(double t) {
        int[] lo = {0xf1, 0xf5, 0xfb};
        int[] hi = {0x0b, 0x3c, 0x74};
        StringBuilder b = new StringBuilder("#");
        for (int k = 0; k < 3; k++) {
            b.append(String.format(Locale.ROOT, "%02x", (int) Math.round(lo[k] + (hi[k] - lo[k]) * t)));
        }
        return b.toString();
    }

    private static String legend(double minAuc) {
        StringBuilder b = new StringBuilder("<span class=\"legend\">held-out AUC: ");
        for (double auc : new double[] {0.5, 0.9, 0.99, 0.999, 0.9999}) {
            b.append("<span><i style=\"background:").append(colour(shade(auc))).append("\"></i>")
                    .append(Html.num(auc)).append("</span>");
        }
        b.append("<span><i class=\"used\"></i>the layer a statement edits</span><span>★ the best layer</span>");
        if (!Double.isNaN(minAuc)) {
            b.append("<span>* below --min-auc ").append(Html.num(minAuc)).append("</span>");
        }
        return b.append("</span> The colour scale is logarithmic in 1 − AUC, so 0.99, 0.999 and 0.9999 differ.")
                .toString();
    }

    private static String text(int x, int y, String cls, String s) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" class=\"" + cls + "\">" + Html.esc(s) + "</text>";
    }

    /** One statement's figures: after, before, the limit, and on what. */
    static String figures(Statement s) {
        RuleReport rr = s.report();
        Measurement m = rr.measurement();
        StringBuilder b = new StringBuilder("<section class=\"concept\"><h3><a href=\"#")
                .append(HtmlReport.anchor(rr.name())).append("\">").append(Html.esc(rr.name())).append("</a> ")
                .append(HtmlReport.verdictBadge(rr)).append("</h3><p class=\"muted\">")
                .append(Html.esc(what(s))).append("</p>");
        if (!m.measured()) {
            return b.append("<p class=\"muted\">Nothing was measured: ").append(Html.esc(rr.method()))
                    .append("</p></section>").toString();
        }
        b.append("<table class=\"figures\"><tr><th>figure</th><th>after</th><th>before</th><th>limit</th>")
                .append("<th>measured on</th></tr>");
        for (Measurement.Figure f : m.figures()) {
            String limit = switch (f.limit()) {
                case NONE -> "reported";
                case AT_LEAST -> "≥ " + f.show(f.bound());
                case AT_MOST -> "≤ " + f.show(f.bound());
            };
            b.append("<tr class=\"").append(f.meets() ? "" : "miss").append("\"><td>").append(Html.esc(f.name()))
                    .append("</td><td class=\"num\">").append(Html.esc(f.show(f.value())))
                    .append(f.limit() == Measurement.Limit.NONE ? "" : f.meets() ? " ✓" : " ✗")
                    .append("</td><td class=\"num\">").append(Html.esc(Double.isNaN(f.before()) ? "" : f.show(
                            f.before()))).append("</td><td>").append(Html.esc(limit)).append("</td><td>")
                    .append(Html.esc(String.format(Locale.ROOT, "%,d %s", f.examples(), f.on())))
                    .append("</td></tr>");
        }
        b.append("</table>");
        if (m.region() != null) {
            Measurement.RegionCheck rc = m.region();
            b.append("<p class=\"region ").append(rc.proved() ? "ok" : rc.marked() ? "bad" : "warn")
                    .append("\"><strong>Formal part (the premise's input conditions): ")
                    .append(rc.proved() ? "proved on the region" : rc.verdict() instanceof Verdict.Sat
                            ? "counterexample in the region" : "not proved on the region")
                    .append("</strong> — ").append(Html.esc(rc.meaning())).append(" (").append(Html.esc(rc.method()))
                    .append(").</p>");
        }
        return b.append("</section>").toString();
    }

    private static String what(Statement s) {
        ConceptCode c = s.code();
        String at = String.format(Locale.ROOT, "'%s' at layer %d (held-out AUC %.4f)", c.concept(), c.layer(),
                c.auc());
        Obligation ob = s.obligation();
        if (ob instanceof Obligation.ConceptRule) {
            return "A rule over " + at + ", written as a closed-form edit of the dense layer that reads it. Efficacy "
                    + "and generalisation: concept-positive inputs whose outputs meet the consequent; locality: "
                    + "concept-negative inputs whose decision is unchanged.";
        }
        if (ob instanceof Obligation.Erase) {
            return "The linear code of " + at + " erased (LEACE) and folded into the next layer; judged by fresh "
                    + "probes trained after the edit, against the majority rate.";
        }
        double strength = ((Obligation.ConceptSteer) ob).strength();
        return "Steering toward " + at + " with strength " + Html.num(strength) + ": an exact bias change; its "
                + "effect is measured and reported.";
    }
}
