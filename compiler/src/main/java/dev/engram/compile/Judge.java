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
                return new Tail(model);
            }
            List<Obligation.Invariance> ignores = obligations.stream()
                    .filter(o -> o instanceof Obligation.Invariance).map(o -> (Obligation.Invariance) o).toList();
            LoadedModel masked = ignores.isEmpty() ? model
                    : InputMask.apply(model, ignores, model.dag().shape(0).size());
            return new Head(model.dag(), masked, HeadSplit.of(masked));
        }
        return new Dense(model, dense);
    }

    /** The lowering passes on what this judge lowers. */
    Lowerings.Lowered lower(List<Obligation> obligations, Lowering.Context ctx);

    /** The model with the lowered network written in. */
    LoadedModel written(DenseNetwork lowered);

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
        public LoadedModel written(DenseNetwork lowered) {
            return model.withDense(lowered);
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
        public LoadedModel written(DenseNetwork lowered) {
            return model.withHead(lowered);
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
        public LoadedModel written(DenseNetwork lowered) {
            return EditableModel.withNetwork(model, lowered);
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
}
