package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * The lowering of statements over learned concepts on a model whose first operator is not dense (a CNN): the passes
 * run on its dense tail after the flatten ({@code dev.engram.dict.EditableModel}), where the concept's code was
 * renumbered by the front end. Properties to check stay unchanged (they are proved on the whole graph); any other
 * statement over the model's inputs is E062 here: those are guarded in the dense head ({@link HeadGuard}), and one
 * compilation does not yet mix the two on a convolutional model.
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
                failures.add(Lowering.notApplicable(ob, "this convolutional model's file also has statements over"
                        + " learned concepts, which edit its dense layers after the flatten; a statement over the"
                        + " model's inputs is guarded in the dense head, and the two do not compile together yet:"
                        + " compile them one after the other"));
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
