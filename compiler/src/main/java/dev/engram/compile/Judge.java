package dev.engram.compile;

import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.dict.EditableModel;
import dev.engram.lower.ConceptTail;
import dev.engram.lower.HeadGuard;
import dev.engram.lower.HeadSplit;
import dev.engram.lower.InputMask;
import dev.engram.lower.Changes;
import dev.engram.lower.Step;
import dev.engram.model.dag.Dag;
import dev.engram.lower.Lowering;
import dev.engram.lower.Lowerings;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.validate.Fidelity;
import dev.engram.validate.GraphProver;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.List;

/**
 * What the pipeline lowers and how it judges the result, by the shape of the model: a dense chain is lowered whole
 * and proved by the dense verifier; a model whose first operator is not dense (convolutions, pooling) has its dense
 * head lowered ({@link HeadGuard}, the prefix kept) and is proved on the whole graph as read back
 * ({@link GraphProver}), fidelity measured by the graph executor; on such a model, statements over learned concepts
 * edit its dense tail after the flatten ({@link ConceptTail}, {@link EditableModel}) and are measured on data.
 */
sealed interface Judge {

    /**
     * The judge for {@code model} and {@code obligations}; {@link ModelException} when the model is neither a dense
     * chain nor has a dense head. On a model with a head, the {@code ignore}s become one input mask in front of the
     * model ({@link InputMask}) and the head is split off the masked model.
     */
    static Judge of(LoadedModel model, List<Obligation> obligations) {
        DenseNetwork dense;
        try {
            dense = model.dense();
        } catch (ModelException | IllegalArgumentException notDense) {
            if (obligations.stream().anyMatch(ConceptTail::over)) {
                return obligations.stream().allMatch(o -> ConceptTail.over(o) || o instanceof Obligation.Check)
                        ? new Tail(model) : new TailThenHead(model);
            }
            return head(model, model.dag(), obligations);
        }
        return new Dense(model, dense);
    }

    /**
     * The head judge of {@code model} (fidelity against {@code original}): the {@code ignore}s of {@code obligations}
     * as one input mask in front of it, the head split off the masked model.
     */
    private static Head head(LoadedModel model, Dag original, List<Obligation> obligations) {
        List<Obligation.Invariance> ignores = obligations.stream()
                .filter(o -> o instanceof Obligation.Invariance).map(o -> (Obligation.Invariance) o).toList();
        LoadedModel masked = ignores.isEmpty() ? model
                : InputMask.apply(model, ignores, model.dag().shape(0).size());
        return new Head(original, masked, HeadSplit.of(masked));
    }

    /** The lowering passes on what this judge lowers. */
    Lowerings.Lowered lower(List<Obligation> obligations, Lowering.Context ctx);

    /** The model with the lowered network (and whatever else the steps changed) written in. */
    LoadedModel written(Lowerings.Lowered lowered);

    /** Every step's obligation established on the model as read back. */
    List<RuleReport> validate(LoadedModel written, Lowerings.Lowered lowered, Lowering.Context ctx);

    /** Fidelity of {@code written} against the original model. */
    Fidelity fidelity(LoadedModel written, SampleDomain domain, List<Box> excluded, int samples, Decision decision,
                      long seed, Deadline deadline);

    /** A dense chain: everything as before. */
    record Dense(LoadedModel model, DenseNetwork network) implements Judge {
        @Override
        public Lowerings.Lowered lower(List<Obligation> obligations, Lowering.Context ctx) {
            return Lowerings.lower(network, obligations, ctx);
        }

        @Override
        public LoadedModel written(Lowerings.Lowered lowered) {
            return model.withDense(lowered.network());
        }

        @Override
        public List<RuleReport> validate(LoadedModel written, Lowerings.Lowered lowered, Lowering.Context ctx) {
            return Compiler.validate(written.dense(), lowered, ctx);
        }

        @Override
        public Fidelity fidelity(LoadedModel written, SampleDomain domain, List<Box> excluded, int samples,
                                 Decision decision, long seed, Deadline deadline) {
            return Fidelity.measure(network, written.dense(), domain, excluded, samples, decision, seed, deadline);
        }
    }

    /**
     * A model with a prefix that is not dense: the {@code ignore}s as an input mask (already in {@code model}), the
     * head lowered, the whole graph proved; fidelity against {@code original}.
     */
    record Head(Dag original, LoadedModel model, HeadSplit split) implements Judge {
        @Override
        public Lowerings.Lowered lower(List<Obligation> obligations, Lowering.Context ctx) {
            List<Step> masks = new ArrayList<>();
            List<Obligation> rest = new ArrayList<>();
            for (Obligation ob : obligations) {
                if (ob instanceof Obligation.Invariance inv) {
                    masks.add(new Step(ob, split.head(), split.head(), new Changes(0, 0, 2L * split.dag().shape(0)
                            .size(), List.of("engram.mask"), 0), 0, null, null));
                } else {
                    rest.add(ob);
                }
            }
            Lowering.Result r = HeadGuard.lower(split, rest, ctx);
            masks.addAll(r.steps());
            return new Lowerings.Lowered(r.network(), masks, r.failures());
        }

        @Override
        public LoadedModel written(Lowerings.Lowered lowered) {
            return model.withHead(lowered.network());
        }

        @Override
        public List<RuleReport> validate(LoadedModel written, Lowerings.Lowered lowered, Lowering.Context ctx) {
            var dag = written.dag();
            return Compiler.validate(lowered, (step, ob) -> GraphProver.prove(dag, ob, ctx.verifyTimeoutSeconds()));
        }

        @Override
        public Fidelity fidelity(LoadedModel written, SampleDomain domain, List<Box> excluded, int samples,
                                 Decision decision, long seed, Deadline deadline) {
            return Fidelity.measure(original, written.dag(), domain, excluded, samples, decision, seed, deadline);
        }
    }

    /**
     * A model whose first operator is not dense, with statements over learned concepts: they edit its dense tail
     * after the flatten and are measured on data (efficacy, locality, drawdown through the whole graph); properties
     * to check are proved on the whole graph as read back. Fidelity on sampled inputs is not measured here.
     */
    record Tail(LoadedModel model) implements Judge {
        @Override
        public Lowerings.Lowered lower(List<Obligation> obligations, Lowering.Context ctx) {
            return ConceptTail.lower(EditableModel.network(model), obligations, ctx);
        }

        @Override
        public LoadedModel written(Lowerings.Lowered lowered) {
            return EditableModel.withNetwork(model, lowered.network());
        }

        @Override
        public List<RuleReport> validate(LoadedModel written, Lowerings.Lowered lowered, Lowering.Context ctx) {
            DenseNetwork tail = EditableModel.network(written);
            Dag dag = written.dag();
            return Compiler.validate(lowered, (step, ob) -> !ConceptTail.over(ob)
                    ? GraphProver.prove(dag, ob, ctx.verifyTimeoutSeconds())
                    : step.by() != null ? step.by().establish(tail, step, ctx)
                    : ObligationProver.prove(tail, ob, ctx.domain(), ctx.verifyTimeoutSeconds()));
        }

        @Override
        public Fidelity fidelity(LoadedModel written, SampleDomain domain, List<Box> excluded, int samples,
                                 Decision decision, long seed, Deadline deadline) {
            return Fidelity.NOT_MEASURED;
        }
    }

    /**
     * A model whose first operator is not dense, with statements over learned concepts and statements over its
     * inputs: the concept statements first, on its dense tail after the flatten, computed from the dictionary of the
     * model as given ({@link Tail}); then the rest on the dense head of the model with those edits written in
     * ({@link Head}: the {@code ignore}s as an input mask, guards and repairs on the head). Concept statements are
     * measured on the tail of the model as written, every other obligation proved on its whole graph; fidelity
     * against the original graph.
     */
    record TailThenHead(LoadedModel model) implements Judge {
        @Override
        public Lowerings.Lowered lower(List<Obligation> obligations, Lowering.Context ctx) {
            List<Obligation> concepts = obligations.stream().filter(ConceptTail::over).toList();
            List<Obligation> rest = obligations.stream().filter(o -> !ConceptTail.over(o)).toList();
            Tail tail = new Tail(model);
            Lowerings.Lowered t = tail.lower(concepts, ctx);
            if (!t.ok()) {
                return t;
            }
            Head head = afterConcepts(t, rest);
            Lowerings.Lowered h = head.lower(rest, ctx);
            List<Step> steps = new ArrayList<>(t.steps());
            steps.addAll(h.steps());
            return new Lowerings.Lowered(h.network(), h.ok() ? steps : List.of(), h.failures());
        }

        /** The head judge of the model with the concept edits of {@code concepts}' tail written in. */
        private Head afterConcepts(Lowerings.Lowered concepts, List<Obligation> rest) {
            return head(new Tail(model).written(concepts), model.dag(), rest);
        }

        @Override
        public LoadedModel written(Lowerings.Lowered lowered) {
            List<Step> concepts = lowered.steps().stream().filter(s -> ConceptTail.over(s.obligation())).toList();
            DenseNetwork tail = concepts.isEmpty() ? EditableModel.network(model)
                    : concepts.get(concepts.size() - 1).after();
            List<Obligation> rest = lowered.steps().stream().map(Step::obligation)
                    .filter(o -> !ConceptTail.over(o)).toList();
            Head head = afterConcepts(new Lowerings.Lowered(tail, concepts, List.of()), rest);
            return head.written(lowered);
        }

        @Override
        public List<RuleReport> validate(LoadedModel written, Lowerings.Lowered lowered, Lowering.Context ctx) {
            return new Tail(model).validate(written, lowered, ctx);
        }

        @Override
        public Fidelity fidelity(LoadedModel written, SampleDomain domain, List<Box> excluded, int samples,
                                 Decision decision, long seed, Deadline deadline) {
            return Fidelity.measure(model.dag(), written.dag(), domain, excluded, samples, decision, seed, deadline);
        }
    }
}
