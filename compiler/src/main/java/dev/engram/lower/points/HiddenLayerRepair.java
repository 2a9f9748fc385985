package dev.engram.lower.points;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.Bounds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pointwise repair of one earlier layer {@code at} (APRNN, Tao, Nawas, Mitchell, Thakur, PLDI 2023): each target
 * point's activation pattern at layer {@code at} is fixed by the bounds of its pre-activation change {@code t}, and
 * with the patterns of the layers after it fixed too the outputs are affine in {@code t} ({@link Linearised}), so
 * "the label beats every other output" is a linear row ({@link HiddenLayerProgram}). The patterns of the later
 * layers are held lazily: a candidate that misses a target in float32 gets the rows that keep the later units whose
 * sign it changed on that target, and is solved again (the rows are exact where they hold, so this ends). Kept inputs
 * enter as in {@link PointRepair}: once a candidate flips them (or brings them within half their margin), with rows
 * linearised at their own pattern and a costed slack, at most {@link #KEEP_PER_ROUND} per round.
 */
final class HiddenLayerRepair {
    /** New kept inputs per round at most (each adds one row per unit of the layer). */
    static final int KEEP_PER_ROUND = 50;

    /**
     * The time the LP rounds of one layer may take (after the first, which must find a candidate): later rounds only
     * lower the kept inputs' losses, and the best candidate so far is kept.
     */
    static final double SECONDS = Double.parseDouble(System.getProperty("engram.points.layerSeconds", "30"));

    static final double KEEP_FACTOR = Double.parseDouble(System.getProperty("engram.points.hiddenKeep", "1"));

    private final DenseNetwork net;
    private final int at;
    private final DenseLayer layer;
    private final List<Target> targets;
    private final KeepSet ks;
    private final double clearance;
    private final PointRepair.Options o;
    private final Linearised[] lin;
    private final int[][] tv;
    private final Set<Long> signRows = new HashSet<>();
    private final Map<Integer, Linearised> keptLin = new HashMap<>();
    private final Set<Long> keptRows = new HashSet<>();
    private float[][] keepIn;
    private int rounds;

    HiddenLayerRepair(DenseNetwork net, int at, List<Target> targets, KeepSet ks, double clearance,
                      PointRepair.Options o) {
        this.net = net;
        this.at = at;
        this.layer = net.layers().get(at);
        this.targets = targets;
        this.ks = ks;
        this.clearance = clearance;
        this.o = o;
        this.lin = new Linearised[targets.size()];
        this.tv = new int[targets.size()][];
    }

    PointRepair.Result solve() {
        try (HiddenLayerProgram lp = new HiddenLayerProgram(layer, costs())) {
            for (int k = 0; k < targets.size(); k++) {
                o.deadline().check();
                targetRows(lp, k);
            }
            DenseNetwork best = null;
            double bestL1 = 0;
            int bestFlips = Integer.MAX_VALUE;
            DenseNetwork last = null;
            long end = System.nanoTime() + (long) (SECONDS * 1e9);
            for (int r = 0; r < 3 * o.rounds() + 3; r++, rounds++) {
                o.deadline().check();
                long t0 = System.nanoTime();
                double left = Math.min(o.deadline().secondsLeft(), (end - t0) / 1e9);
                if (best != null && left <= 0) {
                    break;
                }
                double[][] d = lp.solve(Math.max(1, left));
                if (d == null) {
                    break;
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                DenseNetwork cand = with(net, at, d);
                last = cand;
                int signs = signRows(lp, cand);
                boolean hold = signs < 0;
                int keepAdded = keepRows(lp, cand);
                if (PointRepair.DEBUG) {
                    System.err.printf("points: %s solve %.2f s, %d sign rows, %d kept inputs added (%d in all), "
                            + "%d flipped%n", layer.name(), secs, signs, keepAdded, keptLin.size(),
                            ks.flips(net, cand));
                }
                if (hold) {
                    int flips = ks.flips(net, cand);
                    if (flips < bestFlips) {
                        best = cand;
                        bestFlips = flips;
                        bestL1 = l1(d);
                    }
                }
                if (hold && keepAdded == 0 || !hold && signs == 0) {
                    break; // settled; or float32 rounding, not the pattern: the caller raises the clearance
                }
            }
            if (best == null && last == null) {
                return failed("no change of " + layer.name() + " classifies every target as its label with the "
                        + "targets' activation patterns held");
            }
            return best != null
                    ? new PointRepair.Result(best, "", rounds, keptRows.size(), ks.size(), bestFlips, bestL1,
                    layer.name())
                    : new PointRepair.Result(last, "", rounds, keptRows.size(), ks.size(), ks.flips(net, last), 0,
                    layer.name());
        }
    }

    private PointRepair.Result failed(String why) {
        return new PointRepair.Result(null, why, rounds, keptRows.size(), ks.size(), 0, 0, layer.name());
    }

    /**
     * The objective's weight of a weight reading input {@code i}: the mean of {@code |h_i|} over the kept inputs
     * (plus 1 % of the mean over all inputs, so that inputs silent on the kept data are not free), divided by that
     * mean over all inputs (so the weights average about 1, as the bias's). A weight change moves a kept input's
     * pre-activation by {@code Δw·h_i}: this is the L1 norm of the change measured on the kept data, so the LP
     * prefers inputs the targets have and the kept data have not. All 1
     * when nothing is kept.
     */
    double[] costs() {
        double[] c = new double[layer.inputSize()];
        if (ks.size() == 0) {
            Arrays.fill(c, 1);
            return c;
        }
        inputsOfKept();
        for (float[] h : keepIn) {
            for (int i = 0; i < c.length; i++) {
                c[i] += Math.abs(h[i]) / keepIn.length;
            }
        }
        double mean = Arrays.stream(c).average().orElse(1);
        for (int i = 0; i < c.length; i++) {
            c[i] = mean > 0 ? (c[i] + 0.01 * mean) / (1.01 * mean) : 1;
        }
        return c;
    }

    private void inputsOfKept() {
        if (keepIn == null) {
            keepIn = new float[ks.size()][];
            for (int s = 0; s < keepIn.length; s++) {
                keepIn[s] = prefix(ks.inputs.get(s));
            }
        }
    }

    /** Target {@code k}: its variables {@code t}, bounded to keep its pattern at layer {@code at}, and its rows. */
    private void targetRows(HiddenLayerProgram lp, int k) {
        Target t = targets.get(k);
        float[] in = prefix(t.input());
        Linearised l = Linearised.at(net, at, in, true);
        lin[k] = l;
        double[] z = l.pre()[0];
        double[] lo = new double[z.length];
        double[] hi = new double[z.length];
        boolean kink = layer.activation() != Activation.IDENTITY;
        for (int i = 0; i < z.length; i++) {
            double m = Math.min(clearance, Math.abs(z[i]) / 2);
            lo[i] = kink && z[i] > 0 ? -z[i] + m : Double.NEGATIVE_INFINITY;
            hi[i] = kink && !(z[i] > 0) ? -z[i] - m : Double.POSITIVE_INFINITY;
        }
        tv[k] = lp.changes(l.in(), lo, hi);
        int out = net.layers().size() - 1;
        double[] y = l.logits();
        double w = width(Bounds.linear(net, t.region()).output());
        double room = clearance + (w < 1e-3 * (1 + Arrays.stream(y).map(Math::abs).max().orElse(0)) ? 2 * w : 0);
        for (int j : PointRepair.rivals(net.layers().get(out), t.label())) {
            double gap = y[t.label()] - (j < 0 ? 0 : y[j]);
            lp.row(tv[k], l.coefficients(out, t.label(), j), room - gap, Double.POSITIVE_INFINITY, 0);
        }
    }

    /** The widest side of {@code b}. */
    private static double width(dev.engram.verify.Box b) {
        double w = 0;
        for (int i = 0; i < b.dimension(); i++) {
            w = Math.max(w, b.hi()[i] - b.lo()[i]);
        }
        return w;
    }

    /**
     * For every target {@code cand} misses in float32, the rows that hold the later units whose sign {@code cand}
     * changed on it; returns how many were added, or -1 when {@code cand} classifies every target right.
     */
    private int signRows(HiddenLayerProgram lp, DenseNetwork cand) {
        int added = 0;
        boolean hold = true;
        List<DenseLayer> layers = cand.layers();
        for (int k = 0; k < targets.size(); k++) {
            Target t = targets.get(k);
            if (decides(cand.evaluate(t.input()), t.label())) {
                continue;
            }
            hold = false;
            double[][] pre = forward(layers, at, lin[k].in());
            for (int q = at + 1; q < layers.size() - 1; q++) {
                if (layers.get(q).activation() == Activation.IDENTITY) {
                    continue;
                }
                double[] z0 = lin[k].pre()[q - at];
                for (int n = 0; n < z0.length; n++) {
                    if ((z0[n] > 0) == (pre[q - at][n] > 0)
                            || !signRows.add(((long) k * layers.size() + q) * 100_000L + n)) {
                        continue;
                    }
                    double m = Math.min(clearance, Math.abs(z0[n]) / 2);
                    double[] c = lin[k].coefficients(q, n, -1);
                    if (z0[n] > 0) {
                        lp.row(tv[k], c, m - z0[n], Double.POSITIVE_INFINITY, 0);
                    } else {
                        lp.row(tv[k], c, Double.NEGATIVE_INFINITY, -m - z0[n], 0);
                    }
                    added++;
                }
            }
        }
        return hold ? -1 : added;
    }

    /** The rows of kept inputs {@code cand} flips or brings within half their margin; returns how many inputs. */
    private int keepRows(HiddenLayerProgram lp, DenseNetwork cand) {
        inputsOfKept();
        int out = net.layers().size() - 1;
        int fresh = 0;
        for (int s = 0; s < keepIn.length && fresh < KEEP_PER_ROUND; s++) {
            double[][] pre = forward(cand.layers(), at, KeepSet.toDouble(keepIn[s]));
            double[] z = pre[pre.length - 1];
            int dec = ks.decisions.get(s);
            double need = Math.min(o.clearance() * 10, ks.margins.get(s) / 2);
            for (int j = 0; j < z.length; j++) {
                if (j == dec || z[dec] - z[j] >= need || !keptRows.add((long) s * z.length + j)) {
                    continue;
                }
                if (!keptLin.containsKey(s)) {
                    keptLin.put(s, Linearised.at(net, at, keepIn[s], false));
                    fresh++;
                }
                Linearised l = keptLin.get(s);
                double gap = l.logits()[dec] - l.logits()[j];
                lp.direct(l.in(), l.coefficients(out, dec, j), need - gap, o.keepWeight() * KEEP_FACTOR);
            }
        }
        return fresh;
    }

    /** The input of layer {@code at} for network input {@code x}: float32 execution of the layers before. */
    private float[] prefix(float[] x) {
        float[] v = x;
        for (int q = 0; q < at; q++) {
            v = new DenseNetwork(List.of(net.layers().get(q))).evaluate(v);
        }
        return v;
    }

    /** The pre-activations of layers {@code at..L} from layer {@code at}'s input {@code in}, in double. */
    static double[][] forward(List<DenseLayer> layers, int at, double[] in) {
        double[][] pre = new double[layers.size() - at][];
        double[] a = in;
        for (int q = at; q < layers.size(); q++) {
            DenseLayer l = layers.get(q);
            double[] z = PointRepair.logits(l, a, null);
            pre[q - at] = z;
            a = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                a[i] = l.activation().apply(z[i], l.alpha());
            }
        }
        return pre;
    }

    static boolean decides(float[] y, int label) {
        for (int j = 0; j < y.length; j++) {
            if (j != label && !(y[label] > y[j])) {
                return false;
            }
        }
        return true;
    }

    /** {@code net} with layer {@code at} changed by {@code d} ({@code [unit][in + 1]}), rounded to float32. */
    static DenseNetwork with(DenseNetwork net, int at, double[][] d) {
        DenseLayer l = net.layers().get(at);
        int in = l.inputSize();
        float[][] w = new float[l.outputSize()][in];
        float[] b = new float[l.outputSize()];
        for (int o = 0; o < w.length; o++) {
            for (int i = 0; i < in; i++) {
                w[o][i] = (float) (l.weight()[o][i] + d[o][i]);
            }
            b[o] = (float) (l.bias()[o] + d[o][in]);
        }
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        layers.set(at, new DenseLayer(l.name(), w, b, l.activation(), l.alpha(), l.weightRef(), l.biasRef()));
        return new DenseNetwork(layers);
    }

    static double l1(double[][] d) {
        double s = 0;
        for (double[] row : d) {
            for (double v : row) {
                s += Math.abs(v);
            }
        }
        return s;
    }
}
