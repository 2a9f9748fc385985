package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.BoundNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Looks for counterexamples: uniform samples of a box, then a projected signed-gradient descent (PGD) on the
 * distance to the unsafe set from the most promising samples. Candidates are always judged by concrete float32
 * execution ({@link DenseNetwork#evaluate}) on inputs rounded to float32 inside the box, so every point it
 * accepts is a genuine witness. Deterministic for a given seed.
 */
public final class Falsifier {
    private final DenseNetwork network;
    private final BoundNetwork bounds;
    private final Property property;
    private final long seed;
    private final int samples;
    private final int restarts;
    private final int steps;
    /** {@link System#nanoTime} after which every search and descent gives up. */
    private final long deadline;

    public Falsifier(DenseNetwork network, BoundNetwork bounds, Property property, long seed) {
        this(network, bounds, property, seed, 512, 6, 60);
    }

    public Falsifier(DenseNetwork network, BoundNetwork bounds, Property property, long seed, int samples,
                     int restarts, int steps) {
        this(network, bounds, property, seed, samples, restarts, steps, Long.MAX_VALUE);
    }

    private Falsifier(DenseNetwork network, BoundNetwork bounds, Property property, long seed, int samples,
                      int restarts, int steps, long deadline) {
        this.network = network;
        this.bounds = bounds;
        this.property = property;
        this.seed = seed;
        this.samples = samples;
        this.restarts = restarts;
        this.steps = steps;
        this.deadline = deadline;
    }

    /** The same falsifier, giving up at {@code deadline} ({@link System#nanoTime}) in every search and descent. */
    public Falsifier until(long deadline) {
        return new Falsifier(network, bounds, property, seed, samples, restarts, steps, deadline);
    }

    /**
     * A witness in {@code box}, or null when none was found before {@code deadline} (nanoTime; the earlier of it and
     * this falsifier's own deadline).
     */
    public double[] search(Box box, long deadline) {
        long until = Math.min(deadline, this.deadline);
        Random rnd = new Random(seed ^ 0x9E3779B97F4A7C15L);
        int d = box.dimension();
        double[][] best = new double[restarts][];
        double[] bestVal = new double[restarts];
        java.util.Arrays.fill(bestVal, Double.POSITIVE_INFINITY);
        int corners = d <= 12 ? 1 << d : 0;
        for (int s = 0; s < corners + samples; s++) {
            double[] x = new double[d];
            for (int i = 0; i < d; i++) {
                if (s < corners) { // the box's corners first: ReLU networks often peak there
                    x[i] = ((s >> i) & 1) == 0 ? box.lo()[i] : box.hi()[i];
                } else {
                    x[i] = box.lo()[i] + rnd.nextDouble() * (box.hi()[i] - box.lo()[i]);
                    if ((s & 1) == 1) { // every other sample lies on faces: ReLU networks peak on the boundary
                        double f = rnd.nextDouble();
                        x[i] = f < 0.25 ? box.lo()[i] : f < 0.5 ? box.hi()[i] : x[i];
                    }
                }
            }
            if (check(x)) {
                return x;
            }
            double v = distance(bounds.evaluate(x));
            int worst = 0;
            for (int r = 1; r < restarts; r++) {
                if (bestVal[r] > bestVal[worst]) {
                    worst = r;
                }
            }
            if (v < bestVal[worst]) {
                bestVal[worst] = v;
                best[worst] = x;
            }
            if ((s & 15) == 0 && System.nanoTime() > until) {
                return null;
            }
        }
        for (double[] start : best) {
            if (start == null || bounds.unsupported() != null) {
                continue;
            }
            double[] x = descend(start, box.lo(), box.hi(), steps);
            if (x != null) {
                return x;
            }
            if (System.nanoTime() > until) {
                return null;
            }
        }
        return null;
    }

    /**
     * Projected signed-gradient descent on the distance to the unsafe set from {@code start}, inside the box
     * {@code [lo, hi]} (a subdomain of the region); the witness found, or null (also past this falsifier's
     * deadline).
     */
    public double[] descend(double[] start, double[] lo, double[] hi, int steps) {
        if (bounds.unsupported() != null) {
            return null;
        }
        int d = start.length;
        double[] x = start.clone();
        for (int t = 0; t < steps && System.nanoTime() <= deadline; t++) {
            double[][] pre = bounds.preActivations(x); // one forward pass for the outputs and the gradient
            double[] c = steepest(bounds.outputs(pre));
            if (c == null) {
                break;
            }
            double[] g = bounds.gradient(pre, c);
            double eta = 0.1 * Math.pow(0.02, t / (double) steps);
            for (int i = 0; i < d; i++) {
                double w = hi[i] - lo[i];
                x[i] -= eta * w * Math.signum(g[i]);
                x[i] = Math.min(hi[i], Math.max(lo[i], x[i]));
            }
            if (check(x)) {
                return x;
            }
        }
        return null;
    }

    /**
     * {@link Falsifier#check}, remembering the points it rejected: the bound minimisers of one subdomain are box
     * corners, and its constraints, their combinations and the α-CROWN bounds often share them. A rejected point is
     * rejected again (the check is deterministic and changes nothing when it fails), so the answers are the same.
     */
    java.util.function.Predicate<double[]> checkingOnce() {
        List<double[]> rejected = new ArrayList<>(8);
        return x -> {
            for (double[] t : rejected) {
                if (java.util.Arrays.equals(t, x)) {
                    return false;
                }
            }
            if (check(x)) {
                return true;
            }
            rejected.add(x.clone());
            return false;
        };
    }

    /** How far outputs {@code y} are from the unsafe set: at most 0 inside it. */
    double distance(double[] y) {
        double best = Double.POSITIVE_INFINITY;
        for (List<LinearConstraint> conj : property.unsafe()) {
            double worst = Double.NEGATIVE_INFINITY;
            for (LinearConstraint c : conj) {
                worst = Math.max(worst, dot(c.coefficients(), y) - c.bound());
            }
            best = Math.min(best, worst);
        }
        return best;
    }

    /** The objective whose decrease brings {@code y} closest to the unsafe set. */
    private double[] steepest(double[] y) {
        double best = Double.POSITIVE_INFINITY;
        double[] coef = null;
        for (List<LinearConstraint> conj : property.unsafe()) {
            double worst = Double.NEGATIVE_INFINITY;
            double[] wc = null;
            for (LinearConstraint c : conj) {
                double v = dot(c.coefficients(), y) - c.bound();
                if (v > worst) {
                    worst = v;
                    wc = c.coefficients();
                }
            }
            if (worst < best) {
                best = worst;
                coef = wc;
            }
        }
        return coef;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * True when {@code x}, rounded to float32 inside a box of the region, satisfies the input constraints and
     * its float32 output lies in the unsafe set. On success {@code x} is overwritten with the rounded input.
     */
    public boolean check(double[] x) {
        float[] xf = inside(x);
        if (xf == null) {
            return false;
        }
        double[] xd = new double[xf.length];
        for (int i = 0; i < xf.length; i++) {
            xd[i] = xf[i];
        }
        for (LinearConstraint c : property.region().constraints()) {
            if (!c.holds(xd, 1e-9 * (1 + Math.abs(c.bound()))) || !c.holdsExactly(xd)) {
                return false;
            }
        }
        float[] y = bounds.execute(xf); // DenseNetwork.evaluate's values (witness re-executes that)
        double[] yd = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            yd[i] = y[i];
        }
        // a quick screen in double, then the exact check (a double dot product could round across the bound)
        if (!property.isUnsafe(yd, 1e-9 * (1 + maxAbs(yd))) || !property.isUnsafeExactly(yd)) {
            return false;
        }
        System.arraycopy(xd, 0, x, 0, x.length);
        return true;
    }

    /** {@code x} rounded to float32 and nudged into the first region box containing it, or null. */
    private float[] inside(double[] x) {
        for (Box b : property.region().boxes()) {
            float[] f = new float[x.length];
            boolean ok = true;
            for (int i = 0; i < x.length && ok; i++) {
                if (x[i] < b.lo()[i] || x[i] > b.hi()[i]) {
                    ok = false;
                    break;
                }
                float v = (float) x[i];
                if (v < b.lo()[i]) {
                    v = Math.nextUp(v);
                }
                if (v > b.hi()[i]) {
                    v = Math.nextDown(v);
                }
                ok = v >= b.lo()[i] && v <= b.hi()[i];
                f[i] = v;
            }
            if (ok) {
                return f;
            }
        }
        return null;
    }

    /** The verdict for a witness accepted by {@link #check}: input and its re-executed float32 output. */
    public Verdict witness(double[] x, double seconds) {
        float[] xf = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xf[i] = (float) x[i];
        }
        float[] y = network.evaluate(xf);
        double[] yd = new double[y.length];
        double[] xd = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            yd[i] = y[i];
        }
        for (int i = 0; i < x.length; i++) {
            xd[i] = xf[i];
        }
        if (!property.isUnsafeExactly(yd)) {
            throw new IllegalStateException("internal error: a witness failed re-execution");
        }
        return new Verdict.Sat(xd, yd, seconds, strictBoundary(property, xd, yd));
    }

    /**
     * The strict constraints the witness meets with equality (exactly): open faces of the region box holding it
     * (the box with the fewest, when boxes overlap), strict input constraints, and strict constraints of the unsafe
     * conjunction it reaches (the one with the fewest, when it reaches several).
     */
    public static List<Verdict.Boundary> strictBoundary(Property property, double[] x, double[] y) {
        List<Verdict.Boundary> faces = null;
        for (Box b : property.region().boxes()) {
            List<Verdict.Boundary> f = new ArrayList<>();
            boolean in = true;
            for (int i = 0; i < x.length && in; i++) {
                in = x[i] >= b.lo()[i] && x[i] <= b.hi()[i];
                if (b.openLo()[i] && x[i] == b.lo()[i]) {
                    f.add(new Verdict.Boundary(true, unit(x.length, i, -1, 0 - b.lo()[i])));
                }
                if (b.openHi()[i] && x[i] == b.hi()[i]) {
                    f.add(new Verdict.Boundary(true, unit(x.length, i, 1, b.hi()[i])));
                }
            }
            if (in && (faces == null || f.size() < faces.size())) {
                faces = f;
            }
        }
        List<Verdict.Boundary> out = new ArrayList<>(faces == null ? List.of() : faces);
        for (LinearConstraint c : property.region().constraints()) {
            if (c.strict() && c.slack(x).signum() == 0) {
                out.add(new Verdict.Boundary(true, c));
            }
        }
        List<Verdict.Boundary> reached = null;
        for (List<LinearConstraint> conj : property.unsafe()) {
            if (!conj.stream().allMatch(c -> c.holdsExactly(y))) {
                continue;
            }
            List<Verdict.Boundary> t = new ArrayList<>();
            for (LinearConstraint c : conj) {
                if (c.strict() && c.slack(y).signum() == 0) {
                    t.add(new Verdict.Boundary(false, c));
                }
            }
            if (reached == null || t.size() < reached.size()) {
                reached = t;
            }
        }
        out.addAll(reached == null ? List.of() : reached);
        return out;
    }

    /** {@code sign · x_i <= bound}, strict: an open box face. */
    private static LinearConstraint unit(int d, int i, double sign, double bound) {
        double[] a = new double[d];
        a[i] = sign;
        return new LinearConstraint(a, bound, true);
    }
}
