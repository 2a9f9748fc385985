package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.lower.repair.GoalValidation;
import dev.engram.lower.repair.RepairOptions;
import dev.engram.model.DenseNetwork;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.graph.GraphVerifier;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The repair on a model whose first operator is not dense: the output layer of its dense head ({@link HeadSplit}) is
 * changed by the architecture-preserving repair ({@link RepairLowering}), the prefix and the head's other layers are
 * left as they are.
 * <ol>
 *   <li>every rule's box over the model's inputs is carried through the prefix: its sound float32 enclosure of the
 *       head's input (the features) becomes the region of a rule over the head, with the same unsafe set; the
 *       program's properties to keep likewise;</li>
 *   <li>the rules are repaired jointly on the head over those enclosures, keeping the properties (one LP); the
 *       repair's fidelity rows are the features of real inputs run through the prefix ({@link #points}): inputs
 *       drawn on the compilation's domain, and, weighted more, its data and the centres of the kept properties'
 *       boxes. (Uniform draws in the enclosure of the domain, the fallback without a domain, are features no input
 *       produces: a repair that keeps them may still change the decisions of real inputs.)</li>
 *   <li>each candidate of the repair is validated on the whole model with the candidate head in place, every goal
 *       as stated over the model's inputs ({@link #onWholeModel}), not on the head over the enclosures: a property
 *       to keep may not hold on its enclosure even for the original head.</li>
 * </ol>
 * Sound by construction: the repaired head refutes the unsafe set on the whole enclosure, which holds the features
 * of every input of the rule's region. What is over-approximated: the enclosure may hold features no input of the
 * region produces, so the repair may change more than the rule needs. The compiler proves every rule again on the
 * whole graph as written (not on the head) and measures fidelity on the model's inputs.
 */
final class HeadRepair {
    /** Inputs drawn on the compilation's domain whose features are the repair's fidelity samples. */
    static final int SAMPLES = 10_000;
    /** The weight of a given input's fidelity sample relative to a drawn one's. */
    static final double DATA_WEIGHT = 4;

    private HeadRepair() {
    }

    /**
     * The head {@code head} of {@code split} with its output layer repaired for {@code rules}: one step per rule (before
     * and after are heads), or E062 for what cannot be repaired.
     */
    static Lowering.Result lower(HeadSplit split, DenseNetwork head, List<Obligation.Enforce> rules,
                                 Lowering.Context ctx, List<String> choices) {
        List<Obligation> onHead = new ArrayList<>();
        List<Diagnostic> failures = new ArrayList<>();
        Map<Property, Property> stated = new IdentityHashMap<>(); // each goal on the features -> over the inputs
        for (Obligation.Enforce e : rules) {
            Box f = enclosure(split, e, e.box(), ctx, failures);
            if (f != null) {
                Property p = onFeatures(e.property(), f);
                stated.put(p, e.property());
                onHead.add(new Obligation.Enforce(e.name(), e.span(), p, Obligation.Strategy.REPAIR, null));
            }
        }
        List<Obligation> kept = new ArrayList<>();
        int inputs = split.dag().shape(0).size();
        for (Obligation ob : ctx.program()) {
            if (ob instanceof Obligation.Check c && c.property().region().boxes().size() == 1
                    && c.property().region().boxes().get(0).dimension() == inputs) {
                Box f = enclosure(split, c, c.property().region().boxes().get(0), ctx, failures);
                if (f != null) {
                    Property p = onFeatures(c.property(), f);
                    stated.put(p, c.property());
                    kept.add(new Obligation.Check(c.name(), c.span(), p));
                }
            }
        }
        Box domain = ctx.domain() == null ? null : enclosure(split, rules.get(0), ctx.domain().box(), ctx, failures);
        if (!failures.isEmpty()) {
            return Lowering.Result.failed(head, failures);
        }
        Lowering.Context onFeatures = new Lowering.Context(domain == null ? null : SampleDomain.of(domain),
                ctx.decision(), Set.of(), ctx.seed(), ctx.deadline(), kept);
        List<float[]> data = realData(ctx, inputs);
        List<RepairOptions.Point> points = points(split, ctx, data);
        Lowering.Result r = new RepairLowering().lower(head, onHead, onFeatures, points,
                onWholeModel(split, stated));
        if (!r.failures().isEmpty()) {
            return r;
        }
        String rows = points.isEmpty() ? "" : rows(head, r.network(), points, data.size(), ctx.decision());
        List<Step> steps = new ArrayList<>();
        for (int j = 0; j < r.steps().size(); j++) {
            Step s = r.steps().get(j);
            String choice = choices.get(j).isEmpty() ? rows : rows.isEmpty() ? choices.get(j) : choices.get(j) + "; "
                    + rows;
            steps.add(new Step(rules.get(j), s.before(), s.after(), s.changes(), s.seconds(), s.by(), s.detail(),
                    choice));
        }
        return new Lowering.Result(r.network(), steps, List.of());
    }

    /**
     * What the fidelity rows were, and the image-level fidelity: the share of their inputs (the drawn ones, then the
     * last {@code given}) whose decision the repaired head {@code after} keeps, executed on their features.
     */
    static String rows(DenseNetwork before, DenseNetwork after, List<RepairOptions.Point> points, int given,
                       Decision decision) {
        int drawn = points.size() - given;
        int[] same = new int[2];
        for (int s = 0; s < points.size(); s++) {
            float[] x = points.get(s).x();
            same[s < drawn ? 0 : 1] += decide(before.evaluate(x), decision) == decide(after.evaluate(x), decision)
                    ? 1 : 0;
        }
        return String.format(java.util.Locale.ROOT, "fidelity rows: the features of %d inputs drawn on the domain and"
                + " %d given inputs (weight %.0f); decisions unchanged on %.2f %% of the drawn inputs (those that"
                + " violate the rule must change)%s", drawn, given, DATA_WEIGHT, 100.0 * same[0] / Math.max(1, drawn),
                given == 0 ? "" : String.format(java.util.Locale.ROOT, " and %.2f %% of the given ones",
                        100.0 * same[1] / given));
    }

    /** The decided output: arg-max, else arg-min (the repair's default). */
    private static int decide(float[] y, Decision decision) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (decision != Decision.ARGMAX ? y[j] < y[k] : y[j] > y[k]) {
                k = j;
            }
        }
        return k;
    }

    /**
     * The repair's fidelity samples: the features of {@link #SAMPLES} inputs drawn on the compilation's domain (real
     * inputs of the model, weight 1) and of {@code data} (weight {@link #DATA_WEIGHT}), run through the prefix; none
     * without a domain (the repair then draws uniformly in the features' enclosure).
     */
    static List<RepairOptions.Point> points(HeadSplit split, Lowering.Context ctx, List<float[]> data) {
        if (ctx.domain() == null) {
            return List.of();
        }
        Random rnd = new Random(ctx.seed());
        float[][] x = new float[SAMPLES + data.size()][];
        for (int s = 0; s < SAMPLES; s++) {
            x[s] = ctx.domain().sample(rnd);
        }
        for (int k = 0; k < data.size(); k++) {
            x[SAMPLES + k] = data.get(k);
        }
        ctx.deadline().check();
        float[][] f = split.features(x);
        List<RepairOptions.Point> points = new ArrayList<>();
        for (int s = 0; s < f.length; s++) {
            points.add(new RepairOptions.Point(f[s], s < SAMPLES ? 1 : DATA_WEIGHT));
        }
        return points;
    }

    /**
     * The inputs whose decisions matter most: the domain's data (kept points) and the centre of each kept
     * property's box (the input a robustness property is stated around), those of {@code inputs} values.
     */
    static List<float[]> realData(Lowering.Context ctx, int inputs) {
        List<float[]> data = new ArrayList<>();
        if (ctx.domain() != null) {
            data.addAll(ctx.domain().data().stream().filter(x -> x.length == inputs).toList());
        }
        for (Obligation ob : ctx.program()) {
            if (ob instanceof Obligation.Check c && c.property().region().boxes().size() == 1
                    && c.property().region().boxes().get(0).dimension() == inputs) {
                Box b = c.property().region().boxes().get(0);
                float[] centre = new float[inputs];
                for (int i = 0; i < inputs; i++) {
                    centre[i] = (float) (0.5 * (b.lo()[i] + b.hi()[i]));
                }
                data.add(centre);
            }
        }
        return data;
    }

    /**
     * The repair's validation of a candidate head: the graph verifier on the whole model with the candidate in place,
     * on each goal as stated over the model's inputs ({@code stated}: the goal on the features to the goal as given).
     * The goals on the features hold on the enclosures of their boxes, which also hold features no input produces: a
     * property to keep may not hold there even on the original head (the verifier then times out on 784 features or
     * finds a witness no input reaches), while on the model it is what the compilation proves afterwards, on the file.
     * A counterexample is an input of the model; the repair refines its partition at its features.
     */
    static GoalValidation onWholeModel(HeadSplit split, Map<Property, Property> stated) {
        GraphExecutor original = new GraphExecutor(split.dag());
        return (candidate, goal, seconds) -> {
            Property p = stated.get(goal);
            if (p == null) {
                throw new IllegalArgumentException("not a goal of this head repair: " + goal.name());
            }
            Verdict v = GraphVerifier.verifyAny(split.withHead(candidate), List.of(p),
                    VerifyOptions.defaults().withTimeout(Math.max(0, seconds)));
            if (!(v instanceof Verdict.Sat sat)) {
                return new GoalValidation.Outcome(v, p, null, false);
            }
            float[][] x = {new float[sat.input().length]};
            for (int i = 0; i < x[0].length; i++) {
                x[0][i] = (float) sat.input()[i];
            }
            float[] before = original.run(x)[0];
            return new GoalValidation.Outcome(v, p, doubles(split.features(x)[0]), p.isUnsafe(doubles(before), 0));
        };
    }

    private static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** {@code p}'s unsafe set over the box {@code features} of the head's inputs. */
    private static Property onFeatures(Property p, Box features) {
        return new Property(p.name(), InputRegion.of(features), p.unsafe());
    }

    /** The enclosure of {@code box}'s features, or null with an E062 for {@code ob} when it has no finite bound. */
    private static Box enclosure(HeadSplit split, Obligation ob, Box box, Lowering.Context ctx,
                                 List<Diagnostic> failures) {
        try {
            return split.enclosure(box, ctx.deadline());
        } catch (IllegalArgumentException ex) {
            failures.add(Lowering.notApplicable(ob, ex.getMessage()));
            return null;
        }
    }
}
