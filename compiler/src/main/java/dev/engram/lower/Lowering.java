package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.bounds.Deadline;

import java.util.List;
import java.util.Set;

/**
 * One lowering pass: which obligations it takes, how it writes them into a network (one at a time, or jointly as
 * repair does), and how its result is established on the network as read back from the written file. A pass never
 * throws for an obligation it cannot lower: it returns an {@code E062} diagnostic at the obligation's span.
 * Adding a lowering is one class implementing this interface and one line in {@link Lowerings#PASSES}.
 */
public interface Lowering {

    /** The pass's name in reports: guard, repair, invariance, steering. */
    String name();

    /** True when this pass lowers {@code ob}. */
    boolean accepts(Obligation ob);

    /** Lowers {@code accepted} (every obligation this pass accepts, in request order) on {@code net}. */
    Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx);

    /**
     * Establishes {@code step}'s obligation on {@code written}, the network read back from the file as written. By
     * default, the obligation is proved from scratch ({@link ObligationProver}).
     */
    default ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        return ObligationProver.prove(written, step.obligation(), ctx.domain(), ctx.verifyTimeoutSeconds());
    }

    /**
     * What every pass may know besides the network: where fidelity matters, how the model decides, the input slots
     * the model is made independent of (a guard must not read them again), the random seed, the compilation's
     * deadline, and the whole program ({@code program}: every obligation of the compilation, each rule with the
     * lowering chosen for it), so that a pass sees what it must keep: the repair keeps every property that is only
     * checked. Long loops call {@code deadline().check()}, which throws {@link Deadline.Expired}; {@link Lowerings}
     * turns it into {@code E063}.
     */
    record Context(SampleDomain domain, Decision decision, Set<Integer> ignoredSlots, long seed, Deadline deadline,
                   List<Obligation> program) {
        public Context {
            ignoredSlots = Set.copyOf(ignoredSlots);
            program = List.copyOf(program);
        }

        /** A context without a program (a pass run on its own obligations). */
        public Context(SampleDomain domain, Decision decision, Set<Integer> ignoredSlots, long seed,
                       Deadline deadline) {
            this(domain, decision, ignoredSlots, seed, deadline, List.of());
        }

        /** This context with {@code program} as the whole program. */
        public Context withProgram(List<Obligation> program) {
            return new Context(domain, decision, ignoredSlots, seed, deadline, program);
        }

        /** The budget of a verifier call started now: the seconds left before the deadline (0 once it passed). */
        public double verifyTimeoutSeconds() {
            return deadline.secondsLeft();
        }
    }

    /** What a pass did: the network after it, one step per lowered obligation, or why it could not (E062). */
    record Result(DenseNetwork network, List<Step> steps, List<Diagnostic> failures) {
        public Result {
            steps = List.copyOf(steps);
            failures = List.copyOf(failures);
        }

        public static Result failed(DenseNetwork net, List<Diagnostic> failures) {
            return new Result(net, List.of(), failures);
        }
    }

    /**
     * A lowering's own record of what it did, kept with the step (the guard's output correction, the repair's
     * partition, the steered delta).
     */
    interface Detail {
        /** The output correction a guard applies on its region; empty for other lowerings. */
        default double[] correction() {
            return new double[0];
        }
    }

    /** {@code E062} for {@code ob}: this lowering cannot be applied, and why. */
    static Diagnostic notApplicable(Obligation ob, String why) {
        return Diagnostic.error(dev.engram.diag.DiagnosticCode.E062, ob.span(), "cannot lower '" + ob.name() + "': "
                + why, "choose another strategy, or a model the lowering supports");
    }

    /** {@code E063} for the obligation {@code name}: the compilation's time limit ran out before it was {@code done}. */
    static Diagnostic timeLimit(String name, dev.engram.source.Span span, String done) {
        return Diagnostic.error(dev.engram.diag.DiagnosticCode.E063, span, "the time limit ran out before '" + name
                + "' was " + done + "; the model was not written", "raise --timeout (the whole compilation's limit)");
    }
}
