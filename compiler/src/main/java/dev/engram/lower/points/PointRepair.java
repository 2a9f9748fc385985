package dev.engram.lower.points;

import dev.engram.ir.Robustness;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Box;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pointwise and local repair: the least change of the output layer, or for point targets of an earlier layer
 * ({@link HiddenLayerRepair}, chosen by the kept decisions it changes) ({@link LastLayerProgram}: L1 norm, plus the
 * cost of kept inputs' lost margin) after which every target point is classified as its label in float32, and every
 * target box provably so over sound bounds of the output layer's input. Kept inputs enter lazily: solve, find the
 * kept inputs the candidate flips (or brings within their own margin's half of flipping), add their rows, solve
 * again, up to {@code rounds} times. A candidate whose float32 execution misses a target point (rounding of the new
 * weights) is solved again with ten times the clearance.
 */
public final class PointRepair {
    static final boolean DEBUG = Boolean.getBoolean("engram.points.debug");

    private PointRepair() {
    }

    /**
     * What the repair did: the network (null when it found no change), why not, its figures, and the layer it
     * changed ({@code flipped}: kept inputs decided differently afterwards, in float32).
     */
    public record Result(DenseNetwork network, String problem, int rounds, int keptRows, int kept, int flipped,
                         double l1, String layer) {
        public boolean ok() {
            return network != null;
        }

        Result withFlipped(int f) {
            return new Result(network, problem, rounds, keptRows, kept, f, l1, layer);
        }
    }

    /**
     * The repair's knobs; {@link #defaults()}.
     *
     * @param clearance  how far each target's label must lead in the LP (output units), before float32 allowances
     * @param keepWeight the cost of one unit of margin lost by a kept input, against one unit of L1 change
     * @param maxKeep    at most this many kept inputs (drawn with {@code seed})
     * @param rounds     LP rounds that add the rows of flipped kept inputs
     * @param boxSeconds 0: boxes get their sound rows at once; otherwise counterexample-guided, the verifier given
     *                   this long per box and round
     * @param depth      how many hidden layers before the output layer may be the one changed instead (points only;
     *                   0: the output layer only)
     */
    public record Options(double clearance, double keepWeight, int maxKeep, int rounds, double boxSeconds, long seed,
                          Deadline deadline, int depth) {
        /** The defaults; the depth from the system property {@code engram.points.depth} if set (benchmarks). */
        public static Options defaults() {
            return new Options(1e-3, 1.0, 5000, 6, 0, 1, Deadline.NONE, Integer.getInteger("engram.points.depth", 2));
        }

        public Options withDeadline(Deadline d) {
            return new Options(clearance, keepWeight, maxKeep, rounds, boxSeconds, seed, d, depth);
        }

        public Options withSeed(long s) {
            return new Options(clearance, keepWeight, maxKeep, rounds, boxSeconds, s, deadline, depth);
        }

        public Options withDepth(int d) {
            return new Options(clearance, keepWeight, maxKeep, rounds, boxSeconds, seed, deadline, d);
        }
    }

    /**
     * Repairs {@code net} so that every target holds, keeping the decisions on {@code keep} where it can: the output
     * layer's least change, and for point targets also that of each of the {@code depth} hidden layers before it
     * (latest first, {@link HiddenLayerRepair}); of those that classify every target right, the one that changes the
     * fewest kept decisions (ties: the one that moves the kept inputs' outputs least, {@link KeepSet#drift}; then the
     * later layer).
     */
    public static Result repair(DenseNetwork net, List<Target> targets, List<float[]> keep, Options o) {
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        for (Target t : targets) {
            if (t.label() >= out.outputSize()) {
                return new Result(null, t.name() + ": label " + t.label() + " but the network has "
                        + out.outputSize() + " outputs", 0, 0, 0, 0, 0, out.name());
            }
        }
        Features f = Features.of(net);
        KeepSet ks = KeepSet.of(net, f, keep, o.maxKeep(), o.seed());
        Integer only = Integer.getInteger("engram.points.layer"); // benchmarks: the n-th hidden layer from the end
        if (only != null && only > 0 && targets.stream().allMatch(Target::isPoint)) {
            int at = net.layers().size() - 1 - only;
            Result r = attempts(net, targets, ks, o, 1,
                    c -> new HiddenLayerRepair(net, at, targets, ks, c, o).solve());
            return r.ok() ? r.withFlipped(ks.flips(net, r.network())) : r;
        }
        Result best = attempts(net, targets, ks, o, 3, c -> new Run(net, f, targets, ks, c, o).solve());
        if (best.ok()) {
            best = best.withFlipped(ks.flips(net, best.network()));
        }
        boolean points = targets.stream().allMatch(Target::isPoint);
        int last = net.layers().size() - 1;
        List<String> tried = new ArrayList<>();
        for (int at = last - 1; points && at >= Math.max(0, last - o.depth()); at--) {
            if (!Linearised.supports(net, at)) {
                break;
            }
            int layer = at;
            Result r = attempts(net, targets, ks, o, 1,
                    c -> new HiddenLayerRepair(net, layer, targets, ks, c, o).solve());
            if (DEBUG) {
                System.err.printf("points: layer %s: %s, %d kept flipped, drift %.4f (output layer %d, %.4f), "
                        + "L1 %.4f%n", r.layer(), r.ok() ? "repaired" : r.problem(), r.flipped(),
                        r.ok() ? ks.drift(net, r.network()) : 0, best.flipped(),
                        best.ok() ? ks.drift(net, best.network()) : 0, r.l1());
            }
            if (r.ok() && (!best.ok() || r.flipped() < best.flipped()
                    || r.flipped() == best.flipped() && ks.drift(net, r.network()) < ks.drift(net, best.network()))) {
                best = r;
            } else if (!best.ok()) {
                tried.add(r.layer());
            }
        }
        return best.ok() || tried.isEmpty() ? best : new Result(null, best.problem() + "; nor does a change of "
                + String.join(", ", tried) + " with the targets' activation patterns held", best.rounds(),
                best.keptRows(), best.kept(), 0, 0, best.layer());
    }

    /** The repair of hidden layer {@code at} alone (point targets), as {@link #repair} tries it. */
    static Result repairLayer(DenseNetwork net, int at, List<Target> targets, List<float[]> keep, Options o) {
        KeepSet ks = KeepSet.of(net, Features.of(net), keep, o.maxKeep(), o.seed());
        return attempts(net, targets, ks, o, 2, c -> new HiddenLayerRepair(net, at, targets, ks, c, o).solve());
    }

    /**
     * Solves with the options' clearance, then (up to {@code tries} times) ten times more while float32 execution of
     * the candidate, or the sound bounds on a target point's one-input box, miss a target.
     */
    private static Result attempts(DenseNetwork net, List<Target> targets, KeepSet ks, Options o, int tries,
                                   java.util.function.DoubleFunction<Result> solve) {
        double clearance = o.clearance();
        String problem = "";
        Result last = null;
        String layer = "";
        for (int attempt = 0; attempt < tries; attempt++) {
            Result r = solve.apply(clearance);
            layer = r.layer();
            if (!r.ok() || pointsHold(r.network(), targets, true)) {
                return r;
            }
            last = last == null && pointsHold(r.network(), targets, false) ? r : last;
            problem = "a target point is not classified as its label in float32 after the change";
            clearance *= 10;
        }
        // float32 execution right, the sound bounds of a point too loose to show it (deep networks): the verifier
        // decides on the written file
        return last != null ? last : new Result(null, problem, 0, 0, ks.size(), 0, 0, layer);
    }

    /**
     * One LP and its rounds. A point gets its rows at once; so does a box, its sound box rows
     * ({@link LastLayerProgram#box}: they hold exactly when the output layer decides the label over the box's feature
     * bounds). With {@code boxSeconds > 0} a box instead first gets the rows of its centre, and the candidate is
     * checked by the verifier on the box for that long: a counterexample adds the rows of that input
     * (counterexample-guided, as the verifier proves the written file anyway), and a box it cannot decide gets the
     * sound box rows.
     */
    private static final class Run {
        private final DenseNetwork net;
        private final DenseLayer out;
        private final Features f;
        private final List<Target> targets;
        private final KeepSet ks;
        private final double clearance;
        private final Options o;
        private final Set<Long> keptRows = new HashSet<>();
        private final boolean[] boxed;
        private int rounds;
        private int flipped;

        Run(DenseNetwork net, Features f, List<Target> targets, KeepSet ks, double clearance, Options o) {
            this.net = net;
            this.out = net.layers().get(net.layers().size() - 1);
            this.f = f;
            this.targets = targets;
            this.ks = ks;
            this.clearance = clearance;
            this.o = o;
            this.boxed = new boolean[targets.size()];
        }

        Result solve() {
            try (LastLayerProgram lp = new LastLayerProgram(out)) {
                for (int k = 0; k < targets.size(); k++) {
                    o.deadline().check();
                    Target t = targets.get(k);
                    if (t.isPoint() || o.boxSeconds() > 0) {
                        pointRows(lp, t, t.isPoint() ? t.input() : centre(t.region()));
                    } else {
                        boxRows(lp, k);
                    }
                }
                for (int cegis = 0; ; cegis++) {
                    double[][] d = keepRounds(lp);
                    if (d == null) {
                        return failed(cegis == 0 && rounds == 0 ? "no change of the output layer classifies every "
                                + "target as its label (targets with different labels too close together?)"
                                : "no change of the output layer classifies every target as its label over the "
                                + "sound bounds of the boxes the verifier could not decide");
                    }
                    DenseNetwork cand = HiddenLayerRepair.with(net, net.layers().size() - 1, d);
                    if (!refineBoxes(lp, cand)) {
                        return new Result(cand, "", rounds, keptRows.size(), ks.size(), flipped, HiddenLayerRepair.l1(d),
                                out.name());
                    }
                    if (cegis >= o.rounds() * 4) {
                        return failed("the verifier still found counterexamples in a box after " + cegis + " rounds");
                    }
                }
            }
        }

        private Result failed(String why) {
            return new Result(null, why, rounds, keptRows.size(), ks.size(), 0, 0, out.name());
        }

        /** The rows "{@code t}'s label beats every other output" at input {@code x} (its features in float32). */
        private void pointRows(LastLayerProgram lp, Target t, float[] x) {
            double[] h = KeepSet.toDouble(f.at(x));
            Box spread = f.over(point(x)); // how far float32 evaluation may move the features
            double width = 0;
            double mag = 0;
            for (int i = 0; i < h.length; i++) {
                width += spread.hi()[i] - spread.lo()[i];
                mag += Math.abs(h[i]);
            }
            if (width > 1e-3 * (1 + mag)) {
                spread = point(f.at(x)); // bounds too loose to help (deep networks): float32 execution decides
            }
            for (int j : rivals(out, t.label())) {
                lp.point(h, t.label(), j, clearance + allowance(out, h) + spread(out, spread, t.label(), j), 0);
            }
        }

        /** The sound rows of box target {@code k}: its label wins over the feature bounds of the whole box. */
        private void boxRows(LastLayerProgram lp, int k) {
            Target t = targets.get(k);
            Box h = f.over(t.region());
            for (int j : rivals(out, t.label())) {
                lp.box(h, t.label(), j, clearance + allowance(out, h.hi()));
            }
            boxed[k] = true;
        }

        /** Verifies every box target on {@code cand}; true when rows were added (another round is needed). */
        private boolean refineBoxes(LastLayerProgram lp, DenseNetwork cand) {
            boolean added = false;
            for (int k = 0; k < targets.size(); k++) {
                Target t = targets.get(k);
                if (t.isPoint() || boxed[k]) {
                    continue;
                }
                o.deadline().check();
                Property p = Robustness.property(t.name(), t.region(), t.label(), out.outputSize());
                Verdict v = ObligationProver.verify(cand, p, Math.min(o.boxSeconds(), o.deadline().secondsLeft()));
                if (v instanceof Verdict.Sat s) {
                    float[] x = new float[s.input().length];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) s.input()[i];
                    }
                    pointRows(lp, t, x);
                    added = true;
                    if (DEBUG) {
                        System.err.println("points: counterexample in " + t.name());
                    }
                } else if (!(v instanceof Verdict.Unsat)) {
                    boxRows(lp, k);
                    if (DEBUG) {
                        System.err.println("points: box rows for " + t.name() + " (" + v + ")");
                    }
                    added = true;
                }
            }
            return added;
        }

        /** Solves, adding the rows of kept inputs the candidate flips, until none is added; null: no solution. */
        private double[][] keepRounds(LastLayerProgram lp) {
            double[][] d = null;
            for (int r = 0; r <= o.rounds(); r++, rounds++) {
                o.deadline().check();
                long t0 = System.nanoTime();
                d = lp.solve(Math.max(1, o.deadline().secondsLeft()));
                if (d == null) {
                    return null;
                }
                int added = keepRows(lp, HiddenLayerRepair.with(net, net.layers().size() - 1, d));
                if (DEBUG) {
                    System.err.printf("points: solve %.2f s, %d kept rows added, %d flipped%n",
                            (System.nanoTime() - t0) / 1e9, added, flipped);
                }
                if (added == 0) {
                    break;
                }
            }
            return d;
        }

        private int keepRows(LastLayerProgram lp, DenseNetwork cand) {
            int newRows = 0;
            flipped = 0;
            DenseLayer nl = cand.layers().get(cand.layers().size() - 1);
            double[] z = new double[out.outputSize()];
            for (int s = 0; s < ks.size(); s++) {
                logits(nl, ks.features.get(s), z);
                int dec = ks.decisions.get(s);
                double need = Math.min(o.clearance() * 10, ks.margins.get(s) / 2);
                if (argmax(z) != dec) {
                    flipped++;
                }
                for (int j = 0; j < z.length; j++) {
                    if (j != dec && z[dec] - z[j] < need && keptRows.add((long) s * z.length + j)) {
                        lp.point(ks.features.get(s), dec, j, need, o.keepWeight());
                        newRows++;
                    }
                }
            }
            return newRows;
        }
    }

    /**
     * The outputs {@code y} must beat: every other one, and for a ReLU output layer also zero
     * ({@link LastLayerProgram#ZERO}; then {@code relu(z_y) > relu(z_j)} follows from {@code z_y > z_j} and
     * {@code z_y > 0}).
     */
    static int[] rivals(DenseLayer out, int y) {
        int m = out.outputSize();
        boolean relu = out.activation() == dev.engram.model.Activation.RELU;
        int[] r = new int[m - 1 + (relu ? 1 : 0)];
        int n = 0;
        for (int j = 0; j < m; j++) {
            if (j != y) {
                r[n++] = j;
            }
        }
        if (relu) {
            r[n] = LastLayerProgram.ZERO;
        }
        return r;
    }

    private static Box point(float[] x) {
        double[] v = new double[x.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = x[i];
        }
        return new Box(v, v.clone());
    }

    private static float[] centre(Box b) {
        float[] x = new float[b.dimension()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((b.lo()[i] + b.hi()[i]) / 2);
        }
        return x;
    }

    /** A float32 allowance for the output layer's evaluation at features of magnitude {@code h}. */
    private static double allowance(DenseLayer out, double[] h) {
        double s = 0;
        for (int i = 0; i < h.length; i++) {
            double w = 0;
            for (float[] row : out.weight()) {
                w = Math.max(w, Math.abs(row[i]));
            }
            s += 2 * w * Math.abs(h[i]);
        }
        return Bounds.roundingAllowance(s) * 10;
    }

    /**
     * How much the output layer's difference {@code y − j} can move over the feature bounds {@code h} (for a point:
     * the float32 error of the layers before), taken twice for the change's own share.
     */
    private static double spread(DenseLayer out, Box h, int y, int j) {
        double s = 0;
        for (int i = 0; i < h.dimension(); i++) {
            double wj = j < 0 ? 0 : Math.abs(out.weight()[j][i]);
            s += 2 * (Math.abs(out.weight()[y][i]) + wj) * (h.hi()[i] - h.lo()[i]);
        }
        return s;
    }

    /**
     * True when every target point is classified as its label by float32 execution of {@code net}, and (with
     * {@code bounds}) by the sound bounds of {@code net} on the one-input box (what the verifier needs, whatever the
     * summation order).
     */
    private static boolean pointsHold(DenseNetwork net, List<Target> targets, boolean bounds) {
        for (Target t : targets) {
            if (t.isPoint()) {
                float[] y = net.evaluate(t.input());
                if (!bounds) {
                    for (int j = 0; j < y.length; j++) {
                        if (j != t.label() && !(y[t.label()] > y[j])) {
                            return false;
                        }
                    }
                    continue;
                }
                Box b = Bounds.linear(net, t.region()).output();
                boolean relu = net.layers().get(net.layers().size() - 1).activation() == dev.engram.model.Activation.RELU;
                if (relu && !(b.lo()[t.label()] > 0)) {
                    if (DEBUG) {
                        System.err.printf("points: %s not above 0: bounds %g%n", t.name(), b.lo()[t.label()]);
                    }
                    return false;
                }
                for (int j = 0; j < y.length; j++) {
                    if (j != t.label() && (!(y[t.label()] > y[j]) || !(b.lo()[t.label()] > b.hi()[j]))) {
                        if (DEBUG) {
                            System.err.printf("points: %s misses %d: float32 %g vs %g, bounds %g vs %g%n", t.name(),
                                    j, y[t.label()], y[j], b.lo()[t.label()], b.hi()[j]);
                        }
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The output layer's values (before its activation) at features {@code h}, in double. */
    static double[] logits(DenseLayer out, double[] h, double[] into) {
        double[] z = into != null ? into : new double[out.outputSize()];
        for (int o = 0; o < z.length; o++) {
            double s = out.bias()[o];
            float[] row = out.weight()[o];
            for (int i = 0; i < row.length; i++) {
                s += row[i] * h[i];
            }
            z[o] = s;
        }
        return z;
    }

    static int argmax(double[] z) {
        int k = 0;
        for (int j = 1; j < z.length; j++) {
            if (z[j] > z[k]) {
                k = j;
            }
        }
        return k;
    }

    /** How far output {@code d} leads every other. */
    static double margin(double[] z, int d) {
        double m = Double.POSITIVE_INFINITY;
        for (int j = 0; j < z.length; j++) {
            if (j != d) {
                m = Math.min(m, z[d] - z[j]);
            }
        }
        return m;
    }
}
