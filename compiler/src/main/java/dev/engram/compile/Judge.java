package dev.engram.compile;

import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.lower.HeadGuard;
import dev.engram.lower.HeadSplit;
import dev.engram.lower.Lowering;
import dev.engram.lower.Lowerings;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.validate.Fidelity;
import dev.engram.validate.GraphProver;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.List;

/**
 * What the pipeline lowers and how it judges the result, by the shape of the model: a dense chain is lowered whole
 * and proved by the dense verifier; a model whose first operator is not dense (convolutions, pooling) has its dense
 * head lowered ({@link HeadGuard}, the prefix kept) and is proved on the whole graph as read back
 * ({@link GraphProver}), fidelity measured by the graph executor.
 */
sealed interface Judge {

    /** The judge for {@code model}; {@link ModelException} when it is neither a dense chain nor has a dense head. */
    static Judge of(LoadedModel model) {
        DenseNetwork dense;
        try {
            dense = model.dense();
        } catch (ModelException | IllegalArgumentException notDense) {
            return new Head(model, HeadSplit.of(model));
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

    /** A model with a prefix that is not dense: the head is lowered, the whole graph proved. */
    record Head(LoadedModel model, HeadSplit split) implements Judge {
        @Override
        public Lowerings.Lowered lower(List<Obligation> obligations, Lowering.Context ctx) {
            Lowering.Result r = HeadGuard.lower(split, obligations, ctx);
            return new Lowerings.Lowered(r.network(), r.steps(), r.failures());
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
            return Fidelity.measure(split.dag(), written.dag(), domain, excluded, samples, decision, seed, deadline);
        }
    }
}
