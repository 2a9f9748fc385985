package dev.engram.verify.graph;

import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.Falsifier;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.bounds.Deadline;

import java.util.List;
import java.util.Random;

/**
 * Falsification on a graph: random samples of a box (half of them on its faces), then projected signed-gradient
 * descent (PGD) on the distance to the unsafe set, the gradient taken from the graph's local linearisation
 * ({@link GraphBounds#gradient}). A candidate counts only after {@link #check}: rounded to float32 inside the box,
 * meeting the region's input constraints exactly, and its output, executed in float32 by {@link GraphExecutor}, in
 * the unsafe set in exact arithmetic. Deterministic for a seed.
 */
public final class GraphAttack {
    private static final boolean DEBUG = Boolean.getBoolean("engram.verify.debug");
    private final GraphBounds bounds;
    private final GraphExecutor executor;
    /** One lane: a single point (a descent step, a subdomain's minimiser) costs one sample, not a tile's worth. */
    private final GraphExecutor single;
    private final Property property;
    private final Random random;

    public GraphAttack(GraphBounds bounds, Property property, long seed) {
        this.bounds = bounds;
        this.executor = new GraphExecutor(bounds.dag());
        this.single = new GraphExecutor(bounds.dag(), 1);
        this.property = property;
        this.random = new Random(seed);
    }

    /**
     * A witness in {@code box} (already checked), or null: {@code samples} random points, then {@code starts}
     * descents of {@code steps} steps from the best of them (and from {@code seeds}, e.g. bound minimisers).
     */
    public double[] search(Box box, int samples, int starts, int steps, List<double[]> seeds, Deadline deadline) {
        int n = box.dimension();
        float[][] xs = new float[samples + seeds.size()][];
        for (int s = 0; s < samples; s++) {
            double[] x = new double[n];
            boolean faces = s % 2 == 1;
            for (int i = 0; i < n; i++) {
                double t = faces && random.nextBoolean() ? (random.nextBoolean() ? 0 : 1) : random.nextDouble();
                x[i] = s == 0 ? 0.5 * box.lo()[i] + 0.5 * box.hi()[i] : box.lo()[i] + t * (box.hi()[i] - box.lo()[i]);
            }
            xs[s] = inside(x, box);
        }
        for (int s = 0; s < seeds.size(); s++) {
            xs[samples + s] = inside(seeds.get(s), box);
        }
        float[][] ys = xs.length == 1 ? new float[][] {single.run(xs[0])} : executor.run(xs);
        double[] score = new double[xs.length];
        for (int s = 0; s < xs.length; s++) {
            if (check(xs[s], ys[s])) {
                return toDouble(xs[s]);
            }
            score[s] = distance(ys[s]);
        }
        Integer[] order = new Integer[xs.length];
        for (int s = 0; s < order.length; s++) {
            order[s] = s;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        for (int k = 0; k < Math.min(starts, order.length); k++) {
            if (deadline.passed()) {
                return null;
            }
            double[] w = descend(box, toDouble(xs[order[k]]), steps, deadline);
            if (w != null) {
                return w;
            }
        }
        return null;
    }

    /** PGD with signed gradients and a step shrinking from a quarter of the box's width. */
    private double[] descend(Box box, double[] x, int steps, Deadline deadline) {
        int n = x.length;
        for (int t = 0; t < steps && !deadline.passed(); t++) {
            float[] xf = inside(x, box);
            float[] y = single.run(xf);
            if (check(xf, y)) {
                return toDouble(xf);
            }
            double[] row = worstRow(y);
            double[] g = bounds.gradient(toDouble(xf), row);
            double step = 0.25 * (1 - (double) t / steps) + 0.02;
            for (int i = 0; i < n; i++) {
                double w = box.hi()[i] - box.lo()[i];
                double v = x[i] - step * w * Math.signum(g[i]);
                x[i] = Math.min(box.hi()[i], Math.max(box.lo()[i], v));
            }
        }
        float[] xf = inside(x, box);
        return check(xf, single.run(xf)) ? toDouble(xf) : null;
    }

    /**
     * A witness in {@code box} (already checked), or null: for each conjunction of the unsafe set, closest first (by
     * the best of {@code samples} random points), {@code restarts} descents of {@code steps} steps aimed at that
     * conjunction alone: its most violated constraint pushed down by signed gradients with momentum (MI-FGSM, Dong et
     * al., CVPR 2018), the step shrinking from an eighth of the box's width; the first descent starts at the sample
     * closest to that conjunction, the others at random points.
     */
    public double[] targeted(Box box, int samples, int restarts, int steps, Deadline deadline) {
        float[][] xs = new float[Math.max(1, samples)][];
        for (int s = 0; s < xs.length; s++) {
            xs[s] = inside(randomPoint(box, s), box);
        }
        float[][] ys = executor.run(xs);
        List<List<LinearConstraint>> conjs = property.unsafe();
        double[] closest = new double[conjs.size()];
        int[] from = new int[conjs.size()];
        for (int c = 0; c < conjs.size(); c++) {
            closest[c] = Double.POSITIVE_INFINITY;
            for (int s = 0; s < xs.length; s++) {
                if (check(xs[s], ys[s])) {
                    return toDouble(xs[s]);
                }
                double e = worst(conjs.get(c), ys[s]);
                if (e < closest[c]) {
                    closest[c] = e;
                    from[c] = s;
                }
            }
        }
        Integer[] order = new Integer[conjs.size()];
        for (int c = 0; c < order.length; c++) {
            order[c] = c;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(closest[a], closest[b]));
        for (int c : order) {
            for (int k = 0; k < restarts && !deadline.passed(); k++) {
                double[] x0 = k == 0 ? toDouble(xs[from[c]]) : randomPoint(box, 1 + k);
                double[] w = momentum(box, x0, conjs.get(c), steps, deadline);
                if (w != null) {
                    return w;
                }
            }
        }
        return null;
    }

    /** A random point of the box: uniform for even {@code s}, else each coordinate at a face half the time. */
    private double[] randomPoint(Box box, int s) {
        double[] x = new double[box.dimension()];
        for (int i = 0; i < x.length; i++) {
            boolean face = s % 2 == 1 && random.nextBoolean();
            double t = face ? (random.nextBoolean() ? 0 : 1) : random.nextDouble();
            x[i] = box.lo()[i] + t * (box.hi()[i] - box.lo()[i]);
        }
        return x;
    }

    /** MI-FGSM on one conjunction: the L1-normalised gradient of its worst constraint accumulated with decay 0.9. */
    private double[] momentum(Box box, double[] x, List<LinearConstraint> conj, int steps, Deadline deadline) {
        int n = x.length;
        double[] g = new double[n];
        for (int t = 0; t < steps && !deadline.passed(); t++) {
            float[] xf = inside(x, box);
            float[] y = executor.run(xf);
            if (check(xf, y)) {
                return toDouble(xf);
            }
            LinearConstraint wc = conj.get(0);
            for (LinearConstraint c : conj) {
                wc = excess(c, y) > excess(wc, y) ? c : wc;
            }
            double[] d = bounds.gradient(toDouble(xf), wc.coefficients());
            double norm = 0;
            for (double v : d) {
                norm += Math.abs(v);
            }
            double step = 0.125 * (1 - (double) t / steps) + 0.01;
            for (int i = 0; i < n; i++) {
                g[i] = 0.9 * g[i] + (norm > 0 ? d[i] / norm : 0);
                double v = x[i] - step * (box.hi()[i] - box.lo()[i]) * Math.signum(g[i]);
                x[i] = Math.min(box.hi()[i], Math.max(box.lo()[i], v));
            }
        }
        float[] xf = inside(x, box);
        float[] y = executor.run(xf);
        if (DEBUG) {
            System.err.printf("[attack] targeted descent ends at excess %.5g%n", worst(conj, y));
        }
        return check(xf, y) ? toDouble(xf) : null;
    }

    /** The largest excess of a conjunction's constraints at output y (at most 0: y meets them all). */
    private static double worst(List<LinearConstraint> conj, float[] y) {
        double w = Double.NEGATIVE_INFINITY;
        for (LinearConstraint c : conj) {
            w = Math.max(w, excess(c, y));
        }
        return w;
    }

    /** Distance of an output to the unsafe set: over conjunctions, the least of the largest violated constraint. */
    double distance(float[] y) {
        double best = Double.POSITIVE_INFINITY;
        for (List<LinearConstraint> conj : property.unsafe()) {
            best = Math.min(best, worst(conj, y));
        }
        return best;
    }

    /** The output coefficients of the constraint to push down: the worst one of the closest conjunction. */
    private double[] worstRow(float[] y) {
        double best = Double.POSITIVE_INFINITY;
        double[] row = null;
        for (List<LinearConstraint> conj : property.unsafe()) {
            double worst = Double.NEGATIVE_INFINITY;
            LinearConstraint wc = null;
            for (LinearConstraint c : conj) {
                double e = excess(c, y);
                if (e > worst) {
                    worst = e;
                    wc = c;
                }
            }
            if (wc != null && worst < best) {
                best = worst;
                row = wc.coefficients();
            }
        }
        return row;
    }

    private static double excess(LinearConstraint c, float[] y) {
        double s = -c.bound();
        double[] a = c.coefficients();
        for (int j = 0; j < a.length; j++) {
            s += a[j] * y[j];
        }
        return s;
    }

    /** Whether {@code x} (float32, in a region box) meets the input constraints and its executed output is unsafe. */
    public boolean check(float[] x, float[] y) {
        double[] xd = toDouble(x);
        boolean in = false;
        for (Box b : property.region().boxes()) {
            boolean inBox = true;
            for (int i = 0; i < xd.length && inBox; i++) {
                inBox = xd[i] >= b.lo()[i] && xd[i] <= b.hi()[i];
            }
            in |= inBox;
        }
        if (!in) {
            return false;
        }
        for (LinearConstraint c : property.region().constraints()) {
            if (!c.holdsExactly(xd)) {
                return false;
            }
        }
        double[] yd = toDouble(y);
        return property.isUnsafe(yd, 1e-9 * (1 + maxAbs(yd))) && property.isUnsafeExactly(yd);
    }

    /** The verdict for a witness accepted by {@link #check}: its output re-executed in float32. */
    public Verdict witness(double[] x, double seconds) {
        float[] xf = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xf[i] = (float) x[i];
        }
        double[] yd = toDouble(single.run(xf));
        double[] xd = toDouble(xf);
        if (!property.isUnsafeExactly(yd)) {
            throw new IllegalStateException("internal error: a witness failed re-execution");
        }
        return new Verdict.Sat(xd, yd, seconds, Falsifier.strictBoundary(property, xd, yd));
    }

    /** {@code x} rounded to float32 and nudged into {@code box}. */
    static float[] inside(double[] x, Box box) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = Math.min(box.hi()[i], Math.max(box.lo()[i], x[i]));
            float fv = (float) v;
            if (fv < box.lo()[i]) {
                fv = Math.nextUp(fv);
            }
            if (fv > box.hi()[i]) {
                fv = Math.nextDown(fv);
            }
            f[i] = fv;
        }
        return f;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static double maxAbs(double[] y) {
        double m = 0;
        for (double v : y) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
