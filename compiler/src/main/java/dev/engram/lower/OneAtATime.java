package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * A lowering that takes its obligations one after another, each on the network the previous one left: it says why
 * it cannot take one ({@link #whyNot}), or applies it ({@link #apply}). Every obligation it cannot take is reported;
 * then nothing of the pass is kept.
 */
abstract class OneAtATime implements Lowering {

    /** What applying one obligation gave: the network after it, and the lowering's own record. */
    record Applied(DenseNetwork network, Lowering.Detail detail) {
    }

    /** Why {@code ob} cannot be lowered on {@code net}, or null when it can. */
    abstract String whyNot(DenseNetwork net, Obligation ob);

    /** Lowers {@code ob} on {@code net} ({@link #whyNot} is null). */
    abstract Applied apply(DenseNetwork net, Obligation ob, Context ctx);

    @Override
    public final Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx) {
        DenseNetwork cur = net;
        List<Step> steps = new ArrayList<>();
        List<Diagnostic> failures = new ArrayList<>();
        for (Obligation ob : accepted) {
            String why = whyNot(cur, ob);
            if (why != null) {
                failures.add(Lowering.notApplicable(ob, why));
                continue;
            }
            ctx.deadline().check();
            long t = System.nanoTime();
            Applied a = apply(cur, ob, ctx);
            steps.add(new Step(ob, cur, a.network(), (System.nanoTime() - t) / 1e9, this, a.detail()));
            cur = a.network();
        }
        return failures.isEmpty() ? new Lowering.Result(cur, steps, List.of())
                : Lowering.Result.failed(net, failures);
    }
}
