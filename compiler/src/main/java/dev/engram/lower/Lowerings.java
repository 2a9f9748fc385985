package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.ir.Obligation.Strategy;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stage {@code IR → network}: runs the lowering passes in order over one network. The order is the documented
 * one: the statements over learned concepts first (erasure, concept rules, concept steering: they are computed from
 * the dictionary of the model as given, so they must see its activations unchanged), then invariances (they change
 * the function everywhere), then monotonicities (checked, and where they fail, the last layer changed: before the
 * guards, whose units it must not touch), then the points and balls to fix (the local repair, one LP), then the
 * rules to repair (jointly: repairing one after another could undo an earlier
 * repair), then the guarded rules (on the invariant network, with guards that leave the ignored slots alone), then
 * steering. Properties that are only checked pass through unchanged. A pass that runs past the compilation's
 * deadline fails with {@code E063} on each obligation it took.
 */
public final class Lowerings {
    /** Every lowering, in the order they run. Adding a lowering: one class, one line here. */
    public static final List<Lowering> PASSES = List.of(
            new ConceptErasureLowering(),
            new ConceptEditLowering(),
            new ConceptSteeringLowering(),
            new InvarianceLowering(),
            new MonotoneLowering(),
            new PointRepairLowering(),
            new RepairLowering(),
            new GuardLowering(),
            new SteeringLowering());

    private Lowerings() {
    }

    /**
     * The network after every pass, one step per obligation in request order; or the failures (E062) of the first
     * pass that could not lower all it accepted, with the steps done so far.
     */
    public record Lowered(DenseNetwork network, List<Step> steps, List<Diagnostic> failures) {
        public Lowered {
            steps = List.copyOf(steps);
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }
    }

    /** Runs {@link #PASSES} over {@code net}. */
    public static Lowered lower(DenseNetwork net, List<Obligation> obligations, Lowering.Context ctx) {
        return lower(PASSES, net, obligations, ctx);
    }

    /**
     * Runs {@code passes} in order over {@code net}; each obligation goes to the first pass that accepts it, after
     * {@link Strategy#AUTO} rules are given their lowering ({@link #choose}).
     */
    public static Lowered lower(List<Lowering> passes, DenseNetwork net, List<Obligation> requested,
                                Lowering.Context ctx) {
        Map<Obligation, String> choices = new IdentityHashMap<>();
        List<Diagnostic> none = new ArrayList<>();
        List<Obligation> obligations = new ArrayList<>();
        for (Obligation ob : requested) {
            if (ob instanceof Obligation.Enforce e && e.strategy() == Strategy.AUTO) {
                Obligation.Enforce chosen = choose(net, e, choices, none);
                obligations.add(chosen == null ? ob : chosen);
            } else {
                obligations.add(ob);
            }
        }
        if (!none.isEmpty()) {
            return new Lowered(net, List.of(), none);
        }
        Map<Obligation, Step> done = new IdentityHashMap<>();
        DenseNetwork cur = net;
        for (Lowering pass : passes) {
            List<Obligation> mine = new ArrayList<>();
            for (Obligation ob : obligations) {
                if (!done.containsKey(ob) && pass.accepts(ob)) {
                    mine.add(ob);
                }
            }
            if (mine.isEmpty()) {
                continue;
            }
            Lowering.Result r;
            try {
                ctx.deadline().check();
                r = pass.lower(cur, mine, ctx.withProgram(obligations));
            } catch (Deadline.Expired e) {
                r = Lowering.Result.failed(cur, mine.stream().map(ob -> Lowering.timeLimit(ob.name(), ob.span(), "lowered")).toList());
            }
            if (!r.failures().isEmpty()) {
                return new Lowered(cur, inOrder(obligations, done, null), r.failures());
            }
            for (Step s : r.steps()) {
                done.put(s.obligation(), choices.containsKey(s.obligation())
                        ? s.withChoice(choices.get(s.obligation())) : s);
            }
            cur = r.network();
        }
        return new Lowered(cur, inOrder(obligations, done, cur), List.of());
    }

    /**
     * The lowering of a rule left to the compiler, in order of fidelity and cost: the guard (outputs bit-identical
     * outside the dilated region, milliseconds) where the network allows it, else the repair (architecture kept,
     * verified iteratively). Null, with an {@code E062} naming every reason, when neither applies.
     */
    static Obligation.Enforce choose(DenseNetwork net, Obligation.Enforce e, Map<Obligation, String> choices,
                                     List<Diagnostic> none) {
        String noGuard = GuardLowering.whyNot(net, e);
        if (noGuard == null) {
            Obligation.Enforce g = e.with(Strategy.GUARD);
            choices.put(g, "guard: exact outside the dilated region, and the network allows it");
            return g;
        }
        String noRepair = RepairLowering.whyNot(net);
        if (noRepair == null) {
            Obligation.Enforce r = e.with(Strategy.REPAIR);
            choices.put(r, "repair, because the guard cannot be used: " + noGuard);
            return r;
        }
        none.add(Lowering.notApplicable(e, "no lowering applies: guard: " + noGuard + "; repair: " + noRepair));
        return null;
    }

    /** The steps in request order; obligations no pass took are unchanged steps on {@code net} (skipped if null). */
    private static List<Step> inOrder(List<Obligation> obligations, Map<Obligation, Step> done, DenseNetwork net) {
        List<Step> out = new ArrayList<>();
        for (Obligation ob : obligations) {
            Step s = done.get(ob);
            if (s != null) {
                out.add(s);
            } else if (net != null) {
                out.add(Step.unchanged(ob, net));
            }
        }
        return out;
    }
}
