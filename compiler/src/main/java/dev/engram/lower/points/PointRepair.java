package dev.engram.lower.points;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pointwise and local repair: the least change of the output layer ({@link LastLayerProgram}: L1 norm, plus the
 * cost of kept inputs' lost margin) after which every target point is classified as its label in float32, and every
 * target box provably so over sound bounds of the output layer's input. Kept inputs enter lazily: solve, find the
 * kept inputs the candidate flips (or brings within their own margin's half of flipping), add their rows, solve
 * again, up to {@code rounds} times. A candidate whose float32 execution misses a target point (rounding of the new
 * weights) is solved again with ten times the clearance.
 */
public final class PointRepair {
    private PointRepair() {
    }

    /** What the repair did: the network (null when it found no change), why not, and its figures. */
    public record Result(DenseNetwork network, String problem, int rounds, int keptRows, int kept, int flipped,
                         double l1) {
        public boolean ok() {
            return network != null;
        }
    }

    /** The repair's knobs; {@link #defaults()}. */
    public record Options(double clearance, double keepWeight, int maxKeep, int rounds, long seed, Deadline deadline) {
        public static Options defaults() {
            return new Options(1e-3, 1.0, 5000, 6, 1, Deadline.NONE);
        }

        public Options withDeadline(Deadline d) {
            return new Options(clearance, keepWeight, maxKeep, rounds, seed, d);
        }

        public Options withSeed(long s) {
            return new Options(clearance, keepWeight, maxKeep, rounds, s, deadline);
        }
    }

    /** Repairs {@code net} so that every target holds, keeping the decisions on {@code keep} where it can. */
    public static Result repair(DenseNetwork net, List<Target> targets, List<float[]> keep, Options o) {
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        for (Target t : targets) {
            if (t.label() >= out.outputSize()) {
                return new Result(null, t.name() + ": label " + t.label() + " but the network has "
                        + out.outputSize() + " outputs", 0, 0, 0, 0, 0);
            }
        }
        Features f = Features.of(net);
        List<double[]> pointFeatures = new ArrayList<>();
        List<Box> boxFeatures = new ArrayList<>();
        for (Target t : targets) {
            o.deadline().check();
            pointFeatures.add(t.isPoint() ? KeepSet.toDouble(f.at(t.input())) : null);
            boxFeatures.add(f.over(t.region())); // for a point: how far float32 evaluation may move its features
        }
        KeepSet ks = KeepSet.of(net, f, keep, o.maxKeep(), o.seed());
        double clearance = o.clearance();
        String problem = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            Result r = solve(net, targets, pointFeatures, boxFeatures, ks, clearance, o);
            if (!r.ok() || pointsHold(r.network(), targets)) {
                return r;
            }
            problem = "a target point is not classified as its label in float32 after the change";
            clearance *= 10;
        }
        return new Result(null, problem, 0, 0, ks.size(), 0, 0);
    }

    private static Result solve(DenseNetwork net, List<Target> targets, List<double[]> pf, List<Box> bf, KeepSet ks,
                                double clearance, Options o) {
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        Set<Long> added = new HashSet<>();
        try (LastLayerProgram lp = new LastLayerProgram(out)) {
            for (int t = 0; t < targets.size(); t++) {
                int y = targets.get(t).label();
                for (int j = 0; j < out.outputSize(); j++) {
                    if (j == y) {
                        continue;
                    }
                    if (pf.get(t) != null) {
                        lp.point(pf.get(t), y, j, clearance + allowance(out, pf.get(t))
                                + spread(out, bf.get(t), y, j), 0);
                    } else {
                        lp.box(bf.get(t), y, j, clearance + allowance(out, bf.get(t).hi()));
                    }
                }
            }
            DenseNetwork cand = null;
            double[][] d = null;
            int rounds = 0;
            int flipped = 0;
            for (; rounds <= o.rounds(); rounds++) {
                o.deadline().check();
                d = lp.solve(Math.max(1, o.deadline().secondsLeft()));
                if (d == null) {
                    return new Result(null, rounds == 0 ? "no change of the output layer classifies every target "
                            + "as its label (two targets with different labels too close together?)"
                            : "the LP failed after kept inputs were added", rounds, added.size(), ks.size(), 0, 0);
                }
                cand = with(net, d);
                int newRows = 0;
                flipped = 0;
                DenseLayer nl = cand.layers().get(cand.layers().size() - 1);
                for (int s = 0; s < ks.size(); s++) {
                    double[] z = logits(nl, ks.features.get(s), null);
                    int dec = ks.decisions.get(s);
                    double need = Math.min(o.clearance() * 10, ks.margins.get(s) / 2);
                    if (argmax(z) != dec) {
                        flipped++;
                    }
                    for (int j = 0; j < z.length; j++) {
                        if (j != dec && z[dec] - z[j] < need && added.add((long) s * z.length + j)) {
                            lp.point(ks.features.get(s), dec, j, need, o.keepWeight());
                            newRows++;
                        }
                    }
                }
                if (newRows == 0) {
                    break;
                }
            }
            return new Result(cand, "", rounds, added.size(), ks.size(), flipped, l1(d));
        }
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
            s += 2 * (Math.abs(out.weight()[y][i]) + Math.abs(out.weight()[j][i])) * (h.hi()[i] - h.lo()[i]);
        }
        return s;
    }

    /**
     * True when every target point is classified as its label by float32 execution of {@code net}, and by the sound
     * bounds of {@code net} on the one-input box (what the verifier needs, whatever the summation order).
     */
    private static boolean pointsHold(DenseNetwork net, List<Target> targets) {
        for (Target t : targets) {
            if (t.isPoint()) {
                float[] y = net.evaluate(t.input());
                Box b = Bounds.linear(net, t.region()).output();
                for (int j = 0; j < y.length; j++) {
                    if (j != t.label() && (!(y[t.label()] > y[j]) || !(b.lo()[t.label()] > b.hi()[j]))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** {@code net} with its output layer changed by {@code d} ({@code [out][in + 1]}), rounded to float32. */
    static DenseNetwork with(DenseNetwork net, double[][] d) {
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        int in = out.inputSize();
        float[][] w = new float[out.outputSize()][in];
        float[] b = new float[out.outputSize()];
        for (int o = 0; o < w.length; o++) {
            for (int i = 0; i < in; i++) {
                w[o][i] = (float) (out.weight()[o][i] + d[o][i]);
            }
            b[o] = (float) (out.bias()[o] + d[o][in]);
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.set(layers.size() - 1, new DenseLayer(out.name(), w, b, out.activation(), out.alpha(),
                out.weightRef(), out.biasRef()));
        return new DenseNetwork(layers);
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

    private static double l1(double[][] d) {
        double s = 0;
        for (double[] row : d) {
            for (double v : row) {
                s += Math.abs(v);
            }
        }
        return s;
    }
}
