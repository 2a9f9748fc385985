package dev.engram.verify.monotone;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Verdict;

import java.math.BigDecimal;
import java.util.Random;

/**
 * Looks for a pair of inputs that breaks a {@link Monotonicity}: {@code x <= x'} in the monotone input, equal
 * elsewhere, both in the region, with {@code a·f(x) − a·f(x') > tolerance} for the network executed in float32
 * ({@link DenseNetwork#evaluate}). It scans lines along the input through sampled base points (the largest drop
 * between any two points of a line, by a running maximum), then re-executes the best pair and checks the drop and
 * the region in exact arithmetic ({@code BigDecimal}); only a pair that passes is returned.
 */
final class PairSearch {
    /** Points per scanned line. */
    static final int POINTS = 33;

    private final DenseNetwork net;
    private final Monotonicity m;
    private final double tolerance;

    PairSearch(DenseNetwork net, Monotonicity m, double tolerance) {
        this.net = net;
        this.m = m;
        this.tolerance = tolerance;
    }

    /** A pair found on {@code lines} lines through {@code box} (the first through its centre), or null. */
    Verdict.Sat search(Box box, int lines, Random r, long t0) {
        for (int k = 0; k < lines; k++) {
            float[] base = k == 0 ? centre(box, r) : sample(box, r);
            Verdict.Sat s = base == null ? null : line(box, base, t0);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** The largest drop along the line through {@code base} inside {@code box}, if it is a real counterexample. */
    private Verdict.Sat line(Box box, float[] base, long t0) {
        int s = m.slot();
        double lo = box.lo()[s];
        double hi = box.hi()[s];
        float[] t = new float[POINTS];
        double[] v = new double[POINTS];
        for (int k = 0; k < POINTS; k++) {
            t[k] = inside((float) (lo + (hi - lo) * k / (POINTS - 1)), lo, hi);
            base[s] = t[k];
            v[k] = m.value(net.evaluate(base));
        }
        int best = 0;
        int argBest = -1;
        int bestJ = -1;
        double drop = 0;
        for (int k = 1; k < POINTS; k++) {
            if (v[k - 1] > v[best]) {
                best = k - 1;
            }
            if (v[best] - v[k] > drop) {
                drop = v[best] - v[k];
                bestJ = best;
                argBest = k;
            }
        }
        if (argBest < 0 || drop <= tolerance) {
            return null;
        }
        float[] x = base.clone();
        float[] x2 = base.clone();
        x[s] = t[bestJ];
        x2[s] = t[argBest];
        return confirm(x, x2, t0);
    }

    /** The pair as a verdict when it is a counterexample in exact arithmetic, else null. */
    Verdict.Sat confirm(float[] x, float[] x2, long t0) {
        int s = m.slot();
        if (!(x[s] <= x2[s]) || !inRegion(x) || !inRegion(x2)) {
            return null;
        }
        for (int i = 0; i < x.length; i++) {
            if (i != s && Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(x2[i])) {
                return null;
            }
        }
        float[] y = net.evaluate(x);
        float[] y2 = net.evaluate(x2);
        BigDecimal drop = exact(y).subtract(exact(y2));
        if (drop.compareTo(new BigDecimal(tolerance)) <= 0) {
            return null;
        }
        return Verdict.Sat.pair(toDouble(x), toDouble(y), toDouble(x2), toDouble(y2), (System.nanoTime() - t0) / 1e9);
    }

    private BigDecimal exact(float[] y) {
        BigDecimal s = BigDecimal.ZERO;
        for (int k = 0; k < y.length; k++) {
            if (m.objective()[k] != 0) {
                s = s.add(new BigDecimal(m.objective()[k]).multiply(new BigDecimal(y[k])));
            }
        }
        return s;
    }

    private boolean inRegion(float[] x) {
        Box b = m.box();
        double[] d = toDouble(x);
        for (int i = 0; i < d.length; i++) {
            if (!(d[i] >= b.lo()[i] && d[i] <= b.hi()[i])) {
                return false;
            }
        }
        for (LinearConstraint c : m.region().constraints()) {
            if (!c.holdsExactly(d)) {
                return false;
            }
        }
        return true;
    }

    private float[] centre(Box box, Random r) {
        float[] x = new float[box.dimension()];
        for (int i = 0; i < x.length; i++) {
            x[i] = inside((float) ((box.lo()[i] + box.hi()[i]) / 2), box.lo()[i], box.hi()[i]);
        }
        return oneHot(x, box, r) ? x : null;
    }

    /**
     * Sets each one-hot block of {@code x} to one value the box allows (a slot that may be 1 while the others may be
     * 0), chosen at random; false when some block has none.
     */
    private boolean oneHot(float[] x, Box box, Random r) {
        for (int[] block : m.oneHotBlocks()) {
            int chosen = -1;
            int seen = 0;
            for (int s : block) {
                boolean others = true;
                for (int t : block) {
                    others &= t == s || box.lo()[t] <= 0 && box.hi()[t] >= 0;
                }
                if (box.lo()[s] <= 1 && box.hi()[s] >= 1 && others && r.nextInt(++seen) == 0) {
                    chosen = s;
                }
            }
            if (chosen < 0) {
                return false;
            }
            for (int s : block) {
                x[s] = s == chosen ? 1f : 0f;
            }
        }
        return true;
    }

    /** A point of the box, every other one with each input pinned to a face with probability 1/2; null if none in the region. */
    private float[] sample(Box box, Random r) {
        for (int tries = 0; tries < 20; tries++) {
            float[] x = new float[box.dimension()];
            boolean faces = r.nextBoolean();
            for (int i = 0; i < x.length; i++) {
                double u = faces && r.nextBoolean() ? (r.nextBoolean() ? 0 : 1) : r.nextDouble();
                x[i] = inside((float) (box.lo()[i] + u * (box.hi()[i] - box.lo()[i])), box.lo()[i], box.hi()[i]);
            }
            if (oneHot(x, box, r) && (m.region().constraints().isEmpty() || inRegion(x))) {
                return x;
            }
        }
        return null;
    }

    /** The float {@code v} moved inside {@code [lo, hi]} (rounding may have pushed it one ulp out). */
    static float inside(float v, double lo, double hi) {
        float f = v;
        while (f < lo && f < Float.MAX_VALUE) {
            f = Math.nextUp(f);
        }
        while (f > hi && f > -Float.MAX_VALUE) {
            f = Math.nextDown(f);
        }
        return f;
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
