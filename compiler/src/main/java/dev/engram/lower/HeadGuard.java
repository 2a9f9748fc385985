package dev.engram.lower;

import dev.engram.diag.Diagnostic;
import dev.engram.ir.Obligation;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;
import dev.engram.verify.bounds.Deadline;
import dev.engram.verify.bounds.Rounding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The guard on a model whose first operator is not dense (convolutions, pooling): it acts on the dense head after
 * the last such operator ({@link HeadSplit}) and leaves the prefix as it is.
 * <ol>
 *   <li>the rule's box over the model's inputs is carried through the prefix: its sound float32 enclosure of the
 *       head's input (the features) becomes the region of a rule over the head, with the same unsafe set;</li>
 *   <li>{@link GuardLowering} guards that rule on the head: ramps on the features, the conjunction, the output
 *       correction from sound bounds of the head over the enclosure. A head with no hidden layer first gets an
 *       identity ReLU layer in front, exact because its input is non-negative ({@link HeadSplit#nonnegative()});
 *       where it may be negative, a signed identity layer ({@link GuardLowering#withSignedIdentityInFront}).</li>
 * </ol>
 * What is over-approximated: the guard fires (fully) on every input whose features fall in the enclosure, which
 * holds the region's image but may hold the features of inputs outside the region (and of inputs outside the
 * region's box when the region has linear constraints: the enclosure is that of the box). Outside the features'
 * dilated enclosure the outputs are bit-identical to the original's; the compiler measures fidelity on the model's
 * input domain so the cost shows.
 *
 * <p>The features' dilation: the rule's dilation relative to its box (the median over inputs), times each feature's
 * enclosure width, and at least what keeps the conjunction's float32 rounding, summed over every ramp, below an
 * eighth of the guard's strength, so that the proof on the written file has room.
 */
public final class HeadGuard {
    /**
     * The correction's factor: the features' dilation keeps the conjunction's float32 rounding on the region below
     * an eighth of its strength ({@link #dilation}), so the verifier's lower bound of the guard unit there is at least
     * 7/8, and the correction is raised by 8/7 to make up for it.
     */
    static final double STRENGTH = 8.0 / 7.0;

    private HeadGuard() {
    }

    /**
     * The lowered head, one step per obligation (before and after are heads), or E062 for what cannot be lowered:
     * first the rules to repair, jointly ({@link HeadRepair}: the head's output layer), then the guards on the
     * repaired head. A rule without {@code using} is guarded when the head allows it, else repaired.
     */
    public static Lowering.Result lower(HeadSplit split, List<Obligation> obligations, Lowering.Context ctx) {
        DenseNetwork cur = split.head();
        List<Step> steps = new ArrayList<>();
        List<Diagnostic> failures = new ArrayList<>();
        List<Obligation.Enforce> repairs = new ArrayList<>();
        List<String> choices = new ArrayList<>();
        List<Obligation> rest = new ArrayList<>();
        for (Obligation ob : obligations) {
            String guard = whyNot(split, cur, ob);
            if (ob instanceof Obligation.Enforce e && repairable(e, guard)) {
                String repair = RepairLowering.whyNot(cur);
                if (repair != null) {
                    failures.add(Lowering.notApplicable(ob, e.strategy() == Obligation.Strategy.REPAIR ? repair
                            : "neither lowering applies to the dense head: the guard: " + guard + "; the repair: "
                            + repair));
                    continue;
                }
                repairs.add(e.strategy() == Obligation.Strategy.AUTO ? e.with(Obligation.Strategy.REPAIR) : e);
                choices.add(e.strategy() == Obligation.Strategy.AUTO ? "repair of the dense head's output layer:"
                        + " the guard cannot be used here (" + guard + ")" : "");
            } else {
                rest.add(ob);
            }
        }
        if (!repairs.isEmpty() && failures.isEmpty()) {
            try {
                Lowering.Result r = HeadRepair.lower(split, cur, repairs, ctx, choices);
                failures.addAll(r.failures());
                steps.addAll(r.steps());
                cur = r.network();
            } catch (Deadline.Expired ex) {
                failures.add(Lowering.timeLimit(repairs.get(0).name(), repairs.get(0).span(), "lowered"));
            }
        }
        GuardLowering guard = new GuardLowering();
        for (Obligation ob : rest) {
            if (!failures.isEmpty()) {
                break;
            }
            try {
                cur = lowerOne(split, cur, ob, ctx, guard, steps, failures);
            } catch (Deadline.Expired ex) {
                failures.add(Lowering.timeLimit(ob.name(), ob.span(), "lowered"));
                break;
            }
        }
        return failures.isEmpty() ? new Lowering.Result(cur, steps, List.of())
                : Lowering.Result.failed(split.head(), failures);
    }

    /** Whether {@code e} goes to the repair: asked for, or without {@code using} where the guard does not apply. */
    private static boolean repairable(Obligation.Enforce e, String whyNotGuard) {
        return e.strategy() == Obligation.Strategy.REPAIR
                || e.strategy() == Obligation.Strategy.AUTO && whyNotGuard != null;
    }

    /** Lowers {@code ob} on the head {@code cur}: the head after it (a step or a failure is added). */
    private static DenseNetwork lowerOne(HeadSplit split, DenseNetwork cur0, Obligation ob, Lowering.Context ctx,
                                         GuardLowering guard, List<Step> steps, List<Diagnostic> failures) {
        DenseNetwork cur = cur0;
        if (ob instanceof Obligation.Check) {
            steps.add(Step.unchanged(ob, cur));
            return cur;
        }
        String why = whyNot(split, cur, ob);
        if (why != null) {
            failures.add(Lowering.notApplicable(ob, why));
            return cur;
        }
        ctx.deadline().check();
        long t = System.nanoTime();
        Obligation.Enforce e = (Obligation.Enforce) ob;
        Box features;
        try {
            features = split.enclosure(e.box(), ctx.deadline());
        } catch (IllegalArgumentException ex) {
            failures.add(Lowering.notApplicable(ob, ex.getMessage()));
            return cur;
        }
        DenseNetwork before = cur;
        int front = 0;
        if (cur.layers().size() == 1 && split.nonnegative()) {
            cur = withIdentityInFront(cur); // else the guard puts a signed identity layer in front
            front = cur.inputSize();
        }
        Obligation.Enforce onHead = new Obligation.Enforce(e.name(), e.span(),
                new Property(e.property().name(), InputRegion.of(features), e.property().unsafe()),
                Obligation.Strategy.GUARD, dilation(e, features));
        GuardLowering.Result g = GuardLowering.lower(cur, onHead, Set.of());
        double[] c = g.correction().clone();
        for (int j = 0; j < c.length; j++) {
            c[j] *= STRENGTH;
        }
        GuardLowering.Result r = new GuardLowering.Result(withCorrection(g.network(), c), g.unitsAdded() + front, c);
        Step s = new Step(e.strategy() == Obligation.Strategy.AUTO ? e.with(Obligation.Strategy.GUARD) : e, before,
                r.network(), (System.nanoTime() - t) / 1e9, guard, r);
        steps.add(e.strategy() == Obligation.Strategy.AUTO ? s.withChoice("guard on the dense head after the"
                + " last operator that is not dense: exact outside the dilated enclosure of the features, and the"
                + " head allows it") : s);
        return r.network();
    }

    /**
     * {@code head} (guarded) with its output layer's last column, the guard's, set to {@code c}: every other weight
     * keeps its bits.
     */
    static DenseNetwork withCorrection(DenseNetwork head, double[] c) {
        List<DenseLayer> layers = new ArrayList<>(head.layers());
        DenseLayer last = layers.get(layers.size() - 1);
        float[][] w = new float[last.outputSize()][];
        for (int o = 0; o < w.length; o++) {
            w[o] = last.weight()[o].clone();
            w[o][last.inputSize() - 1] = (float) c[o];
        }
        layers.set(layers.size() - 1, new DenseLayer(last.name(), w, last.bias(), last.activation(), last.alpha(),
                last.weightRef(), last.biasRef()));
        return new DenseNetwork(layers);
    }

    /** Why {@code ob} cannot be guarded on the head {@code head} of {@code split}, or null when it can. */
    static String whyNot(HeadSplit split, DenseNetwork head, Obligation ob) {
        if (ob instanceof Obligation.Monotone) {
            return "a monotonicity on a model whose first operator is not dense needs bounds of the derivative through"
                    + " its convolutions and pooling (a graph monotonicity verifier), which Engram does not have yet;"
                    + " it is verified and enforced on dense ReLU chains";
        }
        if (!(ob instanceof Obligation.Enforce e) || e.strategy() == Obligation.Strategy.REPAIR
                || e.strategy() == Obligation.Strategy.LOCAL) {
            // a rule to repair never reaches the guard (lower sends it to HeadRepair)
            return "on a model whose first operator is not dense, only rules (guarded or repaired on the dense head"
                    + " after the last convolution or pooling), properties and ignores are supported; this is a "
                    + ob.kind() + (ob instanceof Obligation.Enforce l && l.strategy() == Obligation.Strategy.LOCAL
                    ? " to repair locally" : "");
        }
        if (e.dilation() == null || e.dilation().length != split.dag().shape(0).size()) {
            return "the guard needs a dilation for each of the model's " + split.dag().shape(0).size() + " inputs";
        }
        for (int l = 0; l < head.layers().size() - 1; l++) {
            if (head.layers().get(l).activation() != Activation.RELU) {
                return "the guard needs ReLU hidden layers in the dense head; layer " + head.layers().get(l).name()
                        + " is " + head.layers().get(l).activation();
            }
        }
        return null;
    }

    /** {@code head} with an identity ReLU layer in front: exact, since the head's input is non-negative. */
    static DenseNetwork withIdentityInFront(DenseNetwork head) {
        List<DenseLayer> layers = new ArrayList<>(head.layers());
        layers.add(0, GuardLowering.identity(head.inputSize()));
        return new DenseNetwork(layers);
    }

    /**
     * The features' dilation: {@code f} times each feature's enclosure width, {@code f} the rule's dilation relative
     * to its box (median over the inputs with a positive width), and at least {@code 16 n} times the float32 error of
     * the feature's ramp ({@code γ_{n+2}} times twice its magnitude, plus the subnormal allowance), {@code n} the number
     * of features: the conjunction then loses at most an eighth of its strength on the region to rounding.
     */
    static double[] dilation(Obligation.Enforce e, Box features) {
        Box box = e.box();
        double[] rel = new double[box.dimension()];
        int k = 0;
        for (int i = 0; i < rel.length; i++) {
            double w = box.hi()[i] - box.lo()[i];
            if (w > 0) {
                rel[k++] = e.dilation()[i] / w;
            }
        }
        Arrays.sort(rel, 0, k);
        double f = k == 0 ? 0.01 : Math.min(1, rel[k / 2]);
        int n = features.dimension();
        double gamma = Rounding.gamma32(n + 2L);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double mag = Math.max(Math.abs(features.lo()[i]), Math.abs(features.hi()[i]));
            double err = gamma * 2 * mag + (2.0 * n + 4) * Rounding.F32_TINY;
            d[i] = Math.max(f * (features.hi()[i] - features.lo()[i]), 16.0 * n * err);
        }
        return d;
    }
}
