package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.dict.BatchedEdit;
import dev.engram.dict.ConceptMeasures;
import dev.engram.dict.EditTarget;
import dev.engram.dict.LayerTaps;
import dev.engram.dict.LinearAlgebra;
import dev.engram.dict.RankOneEdit;
import dev.engram.ir.ConceptCode;
import dev.engram.ir.ConceptEvidence;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Measurement;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Concept rules ({@code when C then CONSEQUENT}, C learned) through the dictionary: the dense layer that reads C's
 * layer gets a closed-form edit. Each rule's key is its concept's positive mean, its value change the target found
 * through the remaining layers ({@link EditTarget}); one concept at a layer is the rank-one ROME edit
 * {@code W' = W + δ uᵀ, u = C⁻¹k/(kᵀC⁻¹k)} (meeting its key exactly), several are solved together in the MEMIT form
 * {@code Δ = R Kᵀ(λC + K Kᵀ)⁻¹} and the scales of rules that fall short on the fit sample are raised (at most four
 * rounds). Rules over the same concept share its key (their changes add up). The result is established by
 * measurement on held-out and test data against the obligation's thresholds: reported as measured, never as proved.
 */
public final class ConceptEditLowering implements Lowering {
    /** MEMIT's preservation weight relative to the keys' own second moment. */
    static final double LAMBDA = 1e-3;
    /** How far an edit may go: {@code ‖ΔW‖_F ≤ NORM_BUDGET ‖W‖_F}. */
    static final double NORM_BUDGET = 1.0;

    @Override
    public String name() {
        return "concept edit";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.ConceptRule;
    }

    /** What the edit did for one rule. */
    public record Edit(int layer, int keys, double scale, double relativeNorm, double fitEfficacy, double fitLocality,
                       double fitBefore) implements Lowering.Detail {
    }

    @Override
    public Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx) {
        Map<Integer, List<Obligation.ConceptRule>> byLayer = new TreeMap<>();
        List<Diagnostic> failures = new ArrayList<>();
        for (Obligation ob : accepted) {
            Obligation.ConceptRule r = (Obligation.ConceptRule) ob;
            String why = whyNot(net, r.code(), r.policy());
            if (why != null) {
                failures.add(Lowering.notApplicable(r, why));
            } else {
                byLayer.computeIfAbsent(r.code().layer(), k -> new ArrayList<>()).add(r);
            }
        }
        DenseNetwork cur = net;
        List<Step> steps = new ArrayList<>();
        for (Map.Entry<Integer, List<Obligation.ConceptRule>> g : byLayer.entrySet()) {
            long t0 = System.nanoTime();
            Group group = new Group(cur, g.getKey(), g.getValue(), ctx);
            failures.addAll(group.targets());
            if (!failures.isEmpty()) {
                continue;
            }
            DenseNetwork after = group.solve();
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (Obligation.ConceptRule r : g.getValue()) {
                steps.add(new Step(r, cur, after, seconds / g.getValue().size(), this, group.edit(r)));
            }
            cur = after;
        }
        return failures.isEmpty() ? new Lowering.Result(cur, steps, List.of()) : Lowering.Result.failed(net, failures);
    }

    /**
     * Why a concept coded at {@code code.layer()} cannot be edited in {@code net} under {@code policy} (a missing layer,
     * a code weaker than the quality gate), or null.
     */
    static String whyNot(DenseNetwork net, ConceptCode code, ConceptPolicy policy) {
        String weak = policy == null ? null : code.weakness(policy.minAuc());
        if (weak != null) {
            return weak;
        }
        int depth = net.layers().size();
        if (code.layer() < 0 || code.layer() >= depth) {
            return "layer " + code.layer() + " has no dense layer after it to edit (the model has layers 0 to " + depth
                    + "; a concept rule edits the layer after the concept's)";
        }
        int width = net.layers().get(code.layer()).inputSize();
        if (width != code.dim()) {
            return "layer " + code.layer() + " has " + width + " units, the dictionary knows " + code.dim();
        }
        return null;
    }

    /** The rules of one edited layer: their keys, targets and the joint solve. */
    private static final class Group {
        final DenseNetwork net;
        final int layer;
        final List<Obligation.ConceptRule> rules;
        final Context ctx;
        final LinearAlgebra la = LinearAlgebra.plain();
        final double[] c;
        final double ridge;
        final Map<String, double[]> keys = new LinkedHashMap<>();
        final Map<String, double[]> gates = new LinkedHashMap<>();
        final Map<Obligation.ConceptRule, EditTarget> targets = new LinkedHashMap<>();
        final Map<Obligation.ConceptRule, Double> boost = new LinkedHashMap<>();
        final Map<Obligation.ConceptRule, double[]> fit = new LinkedHashMap<>();
        final Map<float[][], float[][]> fitKeys = new java.util.IdentityHashMap<>();

        Group(DenseNetwork net, int layer, List<Obligation.ConceptRule> rules, Context ctx) {
            this.net = net;
            this.layer = layer;
            this.rules = rules;
            this.ctx = ctx;
            this.c = rules.get(0).code().secondMoment();
            this.ridge = RankOneEdit.ridge(c, rules.get(0).code().dim());
        }

        /** Finds every rule's target; E062 for a consequent the edit cannot meet within its budget. */
        List<Diagnostic> targets() {
            List<Diagnostic> out = new ArrayList<>();
            for (Obligation.ConceptRule r : rules) {
                String concept = r.code().concept();
                double[] u = gates.computeIfAbsent(concept, k -> {
                    keys.put(k, r.code().positiveMean());
                    return RankOneEdit.gate(c, r.code().positiveMean(), ridge, la);
                });
                ConceptPolicy p = r.policy();
                float[][] k = fitKeys.computeIfAbsent(r.evidence().fit().inputs(),
                        x -> EditTarget.keys(net, layer, r.evidence().fit()));
                EditTarget t = EditTarget.find(net, layer, k, r.evidence().fit().concept(), r.consequent(), u,
                        ctx.decision(),
                        new EditTarget.Goals(goal(p.minEfficacy()), goal(p.minLocality()), p.minEfficacy(),
                                p.minLocality(), NORM_BUDGET));
                if (t.fitEfficacy() < p.minEfficacy()) {
                    out.add(Lowering.notApplicable(r, String.format(Locale.ROOT, "the consequent cannot be met within "
                                    + "the edit's norm budget (|dW| <= %.1f |W|): at best %s of the fit split's "
                                    + "concept-positive examples meet it (%s before the edit), locality %s",
                            NORM_BUDGET, ConceptMeasures.pct(t.fitEfficacy()), ConceptMeasures.pct(t.fitBefore()),
                            ConceptMeasures.pct(t.fitLocality()))));
                }
                targets.put(r, t);
                boost.put(r, 1.0);
            }
            return out;
        }

        /** The edited network: rank-one for one concept, MEMIT for several, with up to four rounds of re-scaling. */
        DenseNetwork solve() {
            DenseNetwork after = apply(delta());
            for (int round = 0; round < 4 && keys.size() > 1; round++) {
                boolean raised = false;
                for (Obligation.ConceptRule r : rules) {
                    double[] f = measureFit(after, r);
                    fit.put(r, f);
                    if (f[0] < goal(r.policy().minEfficacy()) && targets.get(r).scale() > 0) {
                        boost.put(r, boost.get(r) * 1.5);
                        raised = true;
                    }
                }
                if (!raised) {
                    break;
                }
                after = apply(delta());
            }
            for (Obligation.ConceptRule r : rules) {
                fit.put(r, measureFit(after, r));
            }
            return after;
        }

        /** ΔW ({@code m × d}, row-major). */
        private double[] delta() {
            int d = rules.get(0).code().dim();
            int m = net.layers().get(layer).outputSize();
            Map<String, double[]> change = new LinkedHashMap<>();
            for (Obligation.ConceptRule r : rules) {
                double[] ch = change.computeIfAbsent(r.code().concept(), k -> new double[m]);
                double[] t = targets.get(r).change();
                for (int o = 0; o < m; o++) {
                    ch[o] += boost.get(r) * t[o];
                }
            }
            if (keys.size() == 1) {
                String k = keys.keySet().iterator().next();
                return RankOneEdit.apply(new double[m * d], m, d, change.get(k), gates.get(k));
            }
            int r = keys.size();
            double[] kk = new double[r * d];
            double[] rr = new double[r * m];
            int j = 0;
            for (String k : keys.keySet()) {
                System.arraycopy(keys.get(k), 0, kk, j * d, d);
                System.arraycopy(change.get(k), 0, rr, j * m, m);
                j++;
            }
            double[] reg = c.clone();
            for (int i = 0; i < d; i++) {
                reg[i * d + i] += ridge;
            }
            return BatchedEdit.solve(kk, rr, r, d, m, reg, BatchedEdit.lambda(kk, reg, d, LAMBDA), la);
        }

        private DenseNetwork apply(double[] delta) {
            DenseLayer dl = net.layers().get(layer);
            int d = dl.inputSize();
            float[][] w = new float[dl.outputSize()][];
            for (int o = 0; o < w.length; o++) {
                w[o] = dl.weight()[o].clone();
                for (int i = 0; i < d; i++) {
                    w[o][i] = (float) (w[o][i] + delta[o * d + i]);
                }
            }
            List<DenseLayer> layers = new ArrayList<>(net.layers());
            layers.set(layer, new DenseLayer(dl.name(), w, dl.bias(), dl.activation(), dl.alpha(), dl.weightRef(),
                    dl.biasRef()));
            return new DenseNetwork(layers);
        }

        /** {efficacy, locality} of {@code r} on its fit sample in {@code after}. */
        private double[] measureFit(DenseNetwork after, Obligation.ConceptRule r) {
            ConceptEvidence.Examples f = r.evidence().fit();
            ConceptMeasures.RuleFigures fig = ConceptMeasures.rule(net, after, r.consequent(),
                    new ConceptEvidence(f, f, ConceptEvidence.Examples.none("")), ctx.decision());
            return new double[] {fig.efficacy(), fig.locality()};
        }

        Edit edit(Obligation.ConceptRule r) {
            EditTarget t = targets.get(r);
            double[] f = fit.getOrDefault(r, new double[] {t.fitEfficacy(), t.fitLocality()});
            return new Edit(layer, keys.size(), t.scale() * boost.get(r), t.relNorm() * boost.get(r), f[0], f[1],
                    t.fitBefore());
        }
    }

    /** The fit-sample goal for a held-out threshold: halfway from the threshold to 1. */
    static double goal(double threshold) {
        return threshold + (1 - threshold) / 2;
    }

    /** Measured on the written model against the rule's thresholds: held-out and test data only. */
    @Override
    public ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        long t0 = System.nanoTime();
        Obligation.ConceptRule r = (Obligation.ConceptRule) step.obligation();
        ConceptMeasures.RuleFigures f = ConceptMeasures.rule(step.before(), written, r.consequent(), r.evidence(),
                ctx.decision());
        String form = step.detail() instanceof Edit e ? (e.keys() == 1 ? "rank-one (ROME) edit of layer " + e.layer()
                : "batched (MEMIT) edit of layer " + e.layer() + " with " + e.keys() + " keys") + "; " : "";
        Measurement m = f.measurement(r.policy());
        String method = "measured on held-out data, not proved: " + form + f.text();
        if (r.formal().isEmpty()) {
            return judged(m, method, t0);
        }
        Measurement.RegionCheck rc = region(written, r, ctx);
        method += "; formal part: " + (rc.proved() ? "proved on the region" : "not proved on the region") + " ("
                + rc.method() + "): " + rc.meaning();
        return judged(new Measurement(m.figures(), rc), method, t0);
    }

    /**
     * The formal part of {@code r} on {@code written}: the consequent proved by branch and bound on each premise case
     * with input conditions. Such a region contains every input the rule speaks of there, so a proof covers the rule
     * whatever the concept's probe says. A counterexample is inside the rule's premise only when the probe marks it
     * as the concept (at the concept's layer of {@code written}); either way it is reported beside the measured
     * verdict, which it does not change: the probe is a statistical reading, trusted on the data it was measured on,
     * and the verifier's counterexamples are often inputs unlike any example.
     */
    static Measurement.RegionCheck region(DenseNetwork written, Obligation.ConceptRule r, Context ctx) {
        double seconds = 0;
        String method = ObligationProver.BRANCH_AND_BOUND + " on the written model, " + r.formal().size()
                + (r.formal().size() == 1 ? " box" : " boxes");
        for (Property prop : r.formal()) {
            Verdict v = ObligationProver.prove(written, new Obligation.Check(prop.name(), r.span(), prop), ctx.domain(),
                    ctx.verifyTimeoutSeconds()).verdict();
            seconds += v.seconds();
            if (v instanceof Verdict.Sat sat) {
                float[] x = new float[sat.input().length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) sat.input()[i];
                }
                int layer = r.code().layer();
                double score = r.code().score(new LayerTaps(written).run(new float[][] {x}, 1, layer)[layer][0]);
                String probe = String.format(Locale.ROOT, "the concept's probe %s it as '%s' (score %+.3g at layer %d)",
                        score > 0 ? "marks" : "does not mark", r.code().concept(), score, layer);
                return new Measurement.RegionCheck(v, method, score > 0
                        ? "an input of the region breaks the consequent and " + probe + ": as the model's code reads "
                        + "it, the rule does not hold there; it holds as measured on the data only"
                        : "an input of the region breaks the consequent, but " + probe + ", so it is outside the "
                        + "rule's premise: the rule is neither refuted nor proved on the region, and stands as "
                        + "measured", score > 0);
            }
            if (!(v instanceof Verdict.Unsat)) {
                return new Measurement.RegionCheck(v, method, "the verifier gave no verdict (" + v.word()
                        + (v instanceof Verdict.Unknown u ? ": " + u.reason() : "") + "); the rule stands as measured",
                        false);
            }
        }
        return new Measurement.RegionCheck(new Verdict.Unsat(seconds), method, "the consequent holds on every input "
                + "the premise's input conditions allow, whatever the concept's probe says: the rule is proved there",
                false);
    }

    /**
     * Holds when every figure meets its limit; otherwise unknown with the shortfalls (reported as E061). The
     * measurement goes with the verdict to the reports.
     */
    static ObligationProver.Proof judged(Measurement m, String method, long t0) {
        List<String> shortfalls = m.figures().stream().filter(f -> !f.meets()).map(Measurement.Figure::shortfall)
                .toList();
        double s = (System.nanoTime() - t0) / 1e9;
        Verdict v = shortfalls.isEmpty() ? new Verdict.Unsat(s)
                : new Verdict.Unknown("measured: " + String.join("; ", shortfalls) + " (" + method + ")", s);
        return new ObligationProver.Proof(v, method, m);
    }
}
