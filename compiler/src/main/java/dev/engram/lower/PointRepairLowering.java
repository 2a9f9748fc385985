package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.ir.Robustness;
import dev.engram.lower.points.PointRepair;
import dev.engram.lower.points.Target;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Pointwise and local repair as a pass ({@link Obligation.Strategy#LOCAL}): every obligation says "over this region
 * (one input, or a small box) the decision is this label"; all are lowered jointly by the least change of one layer
 * ({@link PointRepair}: the output layer, or for points an earlier one with the points' activation patterns held,
 * whichever changes fewer decisions on the sampling domain's data), holding the decisions on that data. Established
 * on the written network: a point by executing it in float32 and by the verifier on the one-input box (which
 * covers any summation order); a box by the verifier.
 */
public final class PointRepairLowering implements Lowering {

    /** The repair's record, shared by the obligations of one pass. */
    public record Detail(PointRepair.Result repair) implements Lowering.Detail {
    }

    @Override
    public String name() {
        return "local repair";
    }

    @Override
    public boolean accepts(Obligation ob) {
        return ob instanceof Obligation.Enforce e && e.strategy() == Obligation.Strategy.LOCAL;
    }

    /** Why the local repair cannot be applied to {@code net}, or null when it can. */
    public static String whyNot(DenseNetwork net) {
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        if (out.activation() != Activation.IDENTITY && out.activation() != Activation.RELU) {
            return "the local repair changes an affine (or ReLU) output layer; " + out.name() + " is "
                    + out.activation();
        }
        if (out.outputSize() < 2) {
            return "the local repair needs a classifier with at least two outputs";
        }
        return null;
    }

    @Override
    public Lowering.Result lower(DenseNetwork net, List<Obligation> accepted, Context ctx) {
        String no = whyNot(net);
        List<Diagnostic> bad = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        for (Obligation ob : accepted) {
            Obligation.Enforce e = (Obligation.Enforce) ob;
            OptionalInt label = Robustness.label(e.property(), net.outputSize());
            if (no != null) {
                bad.add(Lowering.notApplicable(ob, no));
            } else if (e.box().dimension() != net.inputSize()) {
                bad.add(Lowering.notApplicable(ob, "its region has " + e.box().dimension()
                        + " inputs but the model takes " + net.inputSize()));
            } else if (label.isEmpty()) {
                bad.add(Lowering.notApplicable(ob, "the local repair takes classification properties only: "
                        + "Y_j >= Y_label unsafe for every other output j (VNN-LIB's robustness form)"));
            } else {
                targets.add(new Target(ob.name(), e.box(), label.getAsInt()));
            }
        }
        if (!bad.isEmpty()) {
            return Lowering.Result.failed(net, bad);
        }
        long t = System.nanoTime();
        PointRepair.Result r = PointRepair.repair(net, targets, ctx.domain().data(),
                PointRepair.Options.defaults().withSeed(ctx.seed()).withDeadline(ctx.deadline()));
        if (!r.ok()) {
            return Lowering.Result.failed(net, accepted.stream().map(ob -> Lowering.notApplicable(ob,
                    r.problem())).toList());
        }
        double secs = (System.nanoTime() - t) / 1e9;
        Changes changes = Changes.between(net, r.network());
        List<Step> steps = new ArrayList<>();
        for (Obligation ob : accepted) {
            steps.add(new Step(ob, net, r.network(), changes, secs, this, new Detail(r)));
        }
        return new Lowering.Result(r.network(), steps, List.of());
    }

    /**
     * A point: executed in float32 on the written network (its decision must be the label, strictly), then proved
     * by the verifier on the one-input box; a box: proved by the verifier.
     */
    @Override
    public ObligationProver.Proof establish(DenseNetwork written, Step step, Context ctx) {
        Obligation.Enforce e = (Obligation.Enforce) step.obligation();
        Target t = new Target(e.name(), e.box(), Robustness.label(e.property(), written.outputSize()).orElse(0));
        if (!t.isPoint()) {
            return Lowering.super.establish(written, step, ctx);
        }
        float[] y = written.evaluate(t.input());
        double[] yd = new double[y.length];
        boolean wins = true;
        for (int j = 0; j < y.length; j++) {
            yd[j] = y[j];
            wins &= j == t.label() || y[t.label()] > y[j];
        }
        if (!wins) {
            double[] x = new double[t.input().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = t.input()[i];
            }
            return new ObligationProver.Proof(new Verdict.Sat(x, yd, 0), "float32 execution of the point");
        }
        ObligationProver.Proof p = Lowering.super.establish(written, step, ctx);
        return new ObligationProver.Proof(p.verdict(), "float32 execution of the point, and " + p.method()
                + " on it (any summation order)");
    }
}
