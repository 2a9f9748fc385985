package dev.engram.lower.repair;

import dev.engram.ir.Decision;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Sampling for fidelity: uniform inputs of the domain, or the given points ({@link RepairOptions#points()}), whose
 * decision the repair preserves (those that violate a rule must change, and are left out), with their hidden
 * activations, outputs and weights; the output scale (mean of {@code max |y_j|}) and the mean {@code |h_i|} per hidden
 * unit, which set the LP's tolerances and costs.
 */
final class FidelitySamples {
    /** A sample's decision is kept by this share of the output scale (at most half its original lead). */
    static final double KEEP = 0.02;

    /** A fidelity sample: hidden activations, original outputs and decision, and its weight in the objective. */
    record Sample(double[] h, double[] y, int decision, double weight) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Decision decision;
    private final double[] hiddenScale;
    private double outScale;
    private int drawn;

    private FidelitySamples(Decision decision, int hiddenUnits) {
        this.decision = decision;
        this.hiddenScale = new double[hiddenUnits];
    }

    /**
     * The given points of {@code opt}, else {@code opt.samples()} inputs drawn on {@code opt.domain()} (else the
     * regions' bounding box) with its seed.
     */
    static FidelitySamples draw(RepairTarget target, List<Property> rules, RepairOptions opt) {
        FidelitySamples fs = new FidelitySamples(opt.decision(), target.hiddenUnits());
        if (!opt.points().isEmpty()) {
            for (RepairOptions.Point p : opt.points()) {
                opt.deadline().check();
                fs.add(target, rules, p.x(), p.weight());
            }
        } else {
            Box dom = opt.domain() != null ? opt.domain() : hull(rules, target.net().inputSize());
            Random rnd = new Random(opt.seed());
            int d = target.net().inputSize();
            for (int s = 0; s < opt.samples(); s++) {
                opt.deadline().check();
                float[] xf = new float[d];
                for (int i = 0; i < d; i++) {
                    xf[i] = (float) (dom.lo()[i] + rnd.nextDouble() * (dom.hi()[i] - dom.lo()[i]));
                }
                fs.add(target, rules, xf, 1);
            }
        }
        if (fs.drawn > 0) {
            fs.outScale = Math.max(1e-6, fs.outScale / fs.drawn);
            for (int i = 0; i < fs.hiddenScale.length; i++) {
                fs.hiddenScale[i] /= fs.drawn;
            }
        } else {
            fs.outScale = 1;
        }
        return fs;
    }

    /** Adds the input {@code xf}: to the scales, and as a sample unless it violates a rule. */
    private void add(RepairTarget target, List<Property> rules, float[] xf, double weight) {
        double[] x = new double[xf.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = xf[i];
        }
        double[] h = target.hidden(xf);
        float[] yf = target.net().evaluate(xf);
        double[] y = new double[yf.length];
        double mx = 0;
        for (int j = 0; j < y.length; j++) {
            y[j] = yf[j];
            mx = Math.max(mx, Math.abs(y[j]));
        }
        drawn++;
        outScale += mx;
        for (int i = 0; i < h.length; i++) {
            hiddenScale[i] += Math.abs(h[i]);
        }
        if (!violates(rules, x, y)) { // else it must change: no fidelity row
            samples.add(new Sample(h, y, decide(y), weight));
        }
    }

    /** How many inputs were drawn or given (violating ones included). */
    int drawn() {
        return drawn;
    }

    List<Sample> samples() {
        return samples;
    }

    /** Mean of {@code max_j |y_j|} over the samples (1 without samples). */
    double outScale() {
        return outScale;
    }

    /** Mean {@code |h_i|} over the samples (zeros without samples). */
    double[] hiddenScale() {
        return hiddenScale;
    }

    /** The decision of outputs {@code y}: the index of the smallest (arg-min) or largest (arg-max) output. */
    int decide(double[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (decision == Decision.ARGMIN ? y[j] < y[k] : y[j] > y[k]) {
                k = j;
            }
        }
        return k;
    }

    /** +1 for arg-min, -1 for arg-max: {@code sign · (y_j - y_k) >= 0} when {@code k} beats {@code j}. */
    double sign() {
        return decision == Decision.ARGMIN ? 1 : -1;
    }

    /** How far output {@code j} is from displacing the decision {@code k} (>= 0 for the original). */
    double gap(double[] y, int j, int k) {
        return sign() * (y[j] - y[k]);
    }

    /** The lead a sample's decision keeps over a competitor that led by {@code gap} originally. */
    double keep(double gap) {
        return Math.min(KEEP * outScale, 0.5 * gap);
    }

    /** The competitor closest to displacing the sample's decision, or -1 with a single output. */
    int nearest(Sample smp) {
        int near = -1;
        for (int j = 0; j < smp.y().length; j++) {
            if (j != smp.decision() && (near < 0 || gap(smp.y(), j, smp.decision())
                    < gap(smp.y(), near, smp.decision()))) {
                near = j;
            }
        }
        return near;
    }

    private static boolean violates(List<Property> rules, double[] x, double[] y) {
        for (Property rule : rules) {
            if (inRegion(rule, x) && rule.isUnsafe(y, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inRegion(Property rule, double[] x) {
        for (Box b : rule.region().boxes()) {
            boolean in = true;
            for (int i = 0; i < x.length && in; i++) {
                in = x[i] >= b.lo()[i] && x[i] <= b.hi()[i];
            }
            if (in) {
                for (LinearConstraint c : rule.region().constraints()) {
                    in &= c.holds(x, 0);
                }
            }
            if (in) {
                return true;
            }
        }
        return false;
    }

    /** The bounding box of the rules' region boxes. */
    private static Box hull(List<Property> rules, int d) {
        double[] lo = new double[d];
        double[] hi = new double[d];
        Arrays.fill(lo, Double.POSITIVE_INFINITY);
        Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        for (Property rule : rules) {
            for (Box b : rule.region().boxes()) {
                for (int i = 0; i < d; i++) {
                    lo[i] = Math.min(lo[i], b.lo()[i]);
                    hi[i] = Math.max(hi[i], b.hi()[i]);
                }
            }
        }
        return new Box(lo, hi);
    }
}
