package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;

import java.util.ArrayList;
import java.util.List;
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
 *       repair samples its fidelity rows in the enclosure of the sampling domain.</li>
 * </ol>
 * Sound by construction: the repaired head refutes the unsafe set on the whole enclosure, which holds the features
 * of every input of the rule's region. What is over-approximated: the enclosure may hold features no input of the
 * region produces, so the repair may change more than the rule needs. The compiler proves every rule again on the
 * whole graph as written (not on the head) and measures fidelity on the model's inputs.
 */
final class HeadRepair {
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
        for (Obligation.Enforce e : rules) {
            Box f = enclosure(split, e, e.box(), ctx, failures);
            if (f != null) {
                onHead.add(new Obligation.Enforce(e.name(), e.span(), onFeatures(e.property(), f),
                        Obligation.Strategy.REPAIR, null));
            }
        }
        List<Obligation> kept = new ArrayList<>();
        int inputs = split.dag().shape(0).size();
        for (Obligation ob : ctx.program()) {
            if (ob instanceof Obligation.Check c && c.property().region().boxes().size() == 1
                    && c.property().region().boxes().get(0).dimension() == inputs) {
                Box f = enclosure(split, c, c.property().region().boxes().get(0), ctx, failures);
                if (f != null) {
                    kept.add(new Obligation.Check(c.name(), c.span(), onFeatures(c.property(), f)));
                }
            }
        }
        Box domain = ctx.domain() == null ? null : enclosure(split, rules.get(0), ctx.domain().box(), ctx, failures);
        if (!failures.isEmpty()) {
            return Lowering.Result.failed(head, failures);
        }
        Lowering.Context onFeatures = new Lowering.Context(domain == null ? null : SampleDomain.of(domain),
                ctx.decision(), Set.of(), ctx.seed(), ctx.deadline(), kept);
        Lowering.Result r = new RepairLowering().lower(head, onHead, onFeatures);
        if (!r.failures().isEmpty()) {
            return r;
        }
        List<Step> steps = new ArrayList<>();
        for (int j = 0; j < r.steps().size(); j++) {
            Step s = r.steps().get(j);
            steps.add(new Step(rules.get(j), s.before(), s.after(), s.changes(), s.seconds(), s.by(), s.detail(),
                    choices.get(j)));
        }
        return new Lowering.Result(r.network(), steps, List.of());
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
