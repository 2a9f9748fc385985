package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Obligation;
import dev.engram.lower.repair.GoalValidation;
import dev.engram.lower.repair.OutputLayerRepair;
import dev.engram.lower.repair.RepairOptions;
import dev.engram.lower.repair.UnsafeSets;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Boxes;
import dev.engram.verify.Property;
import dev.engram.verify.bounds.BoundNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * The architecture-preserving repair as a pass: every rule to repair is repaired jointly, in one LP, so that no
 * repair undoes another ({@link OutputLayerRepair}); the rules share one step's change. Established on the written
 * network by the verifier, on the repair's partition of the region when it used one and that partition covers the
 * rule's box exactly.
 */
public final class RepairLowering implements Lowering {

    /** The repair's record: its result, and per rule the property it was proved on (null when none). */
    public record Detail(OutputLayerRepair.Result repair, Property proof) implements Lowering.Detail {
    }

    @Override
    public String name() {
        return "repair";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.Enforce e && e.strategy() == Obligation.Strategy.REPAIR;
    }

    /** Why the repair cannot be applied to {@code net}, or null when it can. */
    public static String whyNot(DenseNetwork net) {
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        if (out.activation() != Activation.IDENTITY) {
            return "the repair needs an affine output layer; " + out.name() + " is " + out.activation();
        }
        return BoundNetwork.of(net).unsupported();
    }

    @Override
    public Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx) {
        return lower(net, accepted, ctx, List.of(), null);
    }

    /**
     * {@link #lower(DenseNetwork, List, Context)} with the repair's fidelity samples given ({@code points}, each with
     * its weight; none: uniform draws on the context's domain) and how its candidates are validated ({@code
     * validation}; null: by the verifier on {@code net}'s candidates themselves).
     */
    Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx,
                          List<RepairOptions.Point> points, GoalValidation validation) {
        List<Property> rules = accepted.stream().map(o -> ((Obligation.Enforce) o).property()).toList();
        List<Obligation.Check> kept = kept(ctx, net);
        long t = System.nanoTime();
        OutputLayerRepair.Result r;
        try {
            r = OutputLayerRepair.repair(net, rules, kept.stream().map(Obligation.Check::property).toList(),
                    RepairOptions.builder().optDomain(ctx.domain().box()).optDecision(ctx.decision())
                            .optSeed(ctx.seed()).optDeadline(ctx.deadline()).optPoints(points)
                            .optValidation(validation).build());
        } catch (IllegalArgumentException ex) {
            return Lowering.Result.failed(net, List.of(Lowering.notApplicable(accepted.get(0), ex.getMessage())));
        }
        if (!r.conflicts().isEmpty()) {
            return Lowering.Result.failed(net, conflicts(r.conflicts(), accepted, kept));
        }
        double secs = (System.nanoTime() - t) / 1e9;
        List<Step> steps = new ArrayList<>();
        Changes changes = Changes.between(net, r.network());
        for (int j = 0; j < accepted.size(); j++) {
            Property proof = j < r.validated().size() ? r.validated().get(j) : null;
            steps.add(new Step(accepted.get(j), net, r.network(), changes, secs, this, new Detail(r, proof)));
        }
        return new Lowering.Result(r.network(), steps, List.of());
    }

    /**
     * The properties the repair keeps: every property of the program that is only checked and fits the network (the
     * rules lowered by other passes are established by them afterwards, on the repaired network).
     */
    static List<Obligation.Check> kept(Context ctx, DenseNetwork net) {
        List<Obligation.Check> kept = new ArrayList<>();
        for (Obligation ob : ctx.program()) {
            if (ob instanceof Obligation.Check c && fits(c.property(), net)) {
                kept.add(c);
            }
        }
        return kept;
    }

    private static boolean fits(Property p, DenseNetwork net) {
        for (List<dev.engram.verify.LinearConstraint> conj : p.unsafe()) {
            if (conj.isEmpty() || conj.stream().anyMatch(c -> c.coefficients().length != net.outputSize())) {
                return false;
            }
        }
        return p.region().boxes().stream().allMatch(b -> b.dimension() == net.inputSize());
    }

    /**
     * One {@code E062} per conflict at the kept property's source position, and one at each rule's, naming each
     * other: "'rule' and 'property' cannot both hold on this network: why" (or, when that is not certain, were not
     * both kept by any change the repair found).
     */
    static List<Diagnostic> conflicts(List<OutputLayerRepair.Conflict> conflicts, List<Obligation> rules,
                                      List<Obligation.Check> kept) {
        List<Diagnostic> out = new ArrayList<>();
        for (OutputLayerRepair.Conflict c : conflicts) {
            Obligation.Check p = kept.get(c.kept());
            String names = c.rules().stream().map(i -> "'" + rules.get(i).name() + "'")
                    .collect(java.util.stream.Collectors.joining(", "));
            String msg = names + " and '" + p.name() + "' " + (c.impossible() ? "cannot both hold on this network"
                    : "were not both kept by any change of the output layer the repair could find") + ": "
                    + c.reason();
            String hint = "drop or narrow one of them, or enforce the rule with a guard (`using guard`), which "
                    + "leaves the outputs outside its region unchanged";
            out.add(Diagnostic.error(DiagnosticCode.E062, p.span(), msg, hint));
            for (int i : c.rules()) {
                out.add(Diagnostic.error(DiagnosticCode.E062, rules.get(i).span(), "cannot repair '"
                        + rules.get(i).name() + "' keeping '" + p.name() + "': " + c.reason(), hint));
            }
        }
        return out;
    }

    /**
     * The verifier on the written network: on the repair's partition of the region when that partition is usable
     * (the same set of inputs, checked here rather than trusted), else on the rule as written. Always run on the
     * network read back from the written file, even when it equals the one the repair validated: the verdict a
     * report gives is the verifier's on the file.
     */
    @Override
    public ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        Obligation.Enforce e = (Obligation.Enforce) step.obligation();
        Property proof = step.detail() instanceof Detail d ? d.proof() : null;
        if (!usablePartition(e, proof)) {
            return Lowering.super.establish(written, step, ctx);
        }
        return new ObligationProver.Proof(ObligationProver.verify(written, proof, ctx.verifyTimeoutSeconds()),
                "branch and bound on the repair's partition of the region (" + proof.region().boxes().size()
                        + " boxes, exact cover checked" + (proof.unsafe().size() < e.property().unsafe().size()
                        ? "; unsafe set as " + proof.unsafe().size() + " conjunctions, the same set, checked" : "")
                        + ")");
    }

    /**
     * True when {@code proof} is the rule itself with its region split into boxes that partition the rule's box
     * exactly, or its unsafe set written with fewer conjunctions that hold exactly the same outputs
     * ({@link UnsafeSets#sameSet}), or both: the same input constraints, and something to gain.
     */
    static boolean usablePartition(Obligation.Enforce e, Property proof) {
        if (proof == null) {
            return false;
        }
        boolean sameUnsafe = proof.unsafe().equals(e.property().unsafe());
        if (proof.region().boxes().size() < 2 && sameUnsafe) {
            return false;
        }
        return (sameUnsafe || UnsafeSets.sameSet(proof.unsafe(), e.property().unsafe()))
                && proof.region().constraints().equals(e.property().region().constraints())
                && Boxes.covers(e.box(), proof.region().boxes());
    }
}
