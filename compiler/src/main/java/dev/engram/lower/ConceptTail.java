package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * The lowering of statements over learned concepts on a model whose first operator is not dense (a CNN): the passes
 * run on its dense tail after the flatten ({@code dev.engram.dict.EditableModel}), where the concept's code was
 * renumbered by the front end. Properties to check stay unchanged (they are proved on the whole graph); the
 * statements over the model's inputs are lowered afterwards, on the dense head of the model with these edits written
 * in ({@link HeadGuard}; the compiler's judge runs the two in turn), and are E062 if given here.
 */
public final class ConceptTail {
    private ConceptTail() {
    }

    /** True for the statements this lowering serves: concept rules, erasure and steering. */
    public static boolean over(Obligation ob) {
        return ob instanceof Obligation.ConceptRule || ob instanceof Obligation.Erase
                || ob instanceof Obligation.ConceptSteer;
    }

    /** The lowered tail: the concept statements through {@link Lowerings#PASSES}, checks unchanged. */
    public static Lowerings.Lowered lower(DenseNetwork tail, List<Obligation> obligations, Lowering.Context ctx) {
        List<Obligation> concepts = new ArrayList<>();
        List<Obligation> checks = new ArrayList<>();
        List<Diagnostic> failures = new ArrayList<>();
        for (Obligation ob : obligations) {
            if (over(ob)) {
                concepts.add(ob);
            } else if (ob instanceof Obligation.Check) {
                checks.add(ob);
            } else {
                failures.add(Lowering.notApplicable(ob, "the concept statements of a convolutional model are lowered"
                        + " on its dense tail; a statement over the model's inputs is lowered on its dense head"));
            }
        }
        if (!failures.isEmpty()) {
            return new Lowerings.Lowered(tail, List.of(), failures);
        }
        Lowerings.Lowered l = Lowerings.lower(tail, concepts, ctx);
        if (!l.ok()) {
            return l;
        }
        List<Step> steps = new ArrayList<>(l.steps());
        for (Obligation ob : checks) {
            steps.add(Step.unchanged(ob, l.network()));
        }
        return new Lowerings.Lowered(l.network(), steps, List.of());
    }
}
