package dev.engram.verify.bounds;

import dev.engram.verify.LinearConstraint;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds of one network over one input box (cut by linear input constraints, when there are any), sound for the
 * network <em>as executed in float32</em> in any summation order. {@link #forward} builds them
 * ({@link SymbolicForward}: symbolic linear bounds of every neuron in terms of the inputs, DeepPoly/CROWN-style,
 * intersected with interval bounds); {@link #lowerBound} then bounds any linear objective of the outputs by one
 * backward pass through the relaxations (CROWN), optionally with optimised slopes ({@link #optimised}, α-CROWN).
 *
 * <p>The error model ({@code docs/verifier.md}): the executed network is the real network with an extra input
 * {@code e_l}, {@code |e_l| <= ε_l}, added to every layer's pre-activation ({@link DenseRounding}); every bound here
 * covers every such {@code e_l}. The bound computation itself runs in double: each pass carries a proved bound on
 * its own rounding (Higham's {@code γ_n} over the magnitudes involved) and subtracts it, so every value returned is a
 * bound of the exact quantity, not an approximation of one.
 */
public final class LinearBounds {
    final BoundNetwork net;
    final double[] xlo;
    final double[] xhi;
    /** {@code max(|xlo_i|, |xhi_i|)}. */
    final double[] xmag;
    final List<LinearConstraint> cons;
    /** Bounds of the executed pre-activations of every layer (the last layer's are the outputs). */
    final double[][] lo;
    final double[][] hi;
    /** Relaxation lines per layer: lower slope/intercept, upper slope/intercept. */
    final double[][] la;
    final double[][] lb;
    final double[][] ua;
    final double[][] ub;
    /**
     * Per layer and unit, the error a backward pass adds per unit of {@code |coefficient|} on the unit's
     * pre-activation when it starts there ({@code topSlack}: {@code ε_o} plus the rounding of the coefficients
     * carried to the layer below) or passes through its relaxation ({@code slack}: plus the rounding of the
     * coefficient times slope, {@code 2u |ẑ_o|}).
     */
    final double[][] topSlack;
    final double[][] slack;
    /** Per layer and unit: unstable, with a lower slope α-CROWN may optimise ({@link #free}). */
    final boolean[][] free;
    /** The largest magnitude of any input or pre-activation bound (for the double underflow allowance). */
    double maxMag;
    /** True when float32 overflow could not be excluded: then nothing is bounded. */
    boolean overflow;
    /** α-CROWN steps per {@link #lowerBound} call (0: plain CROWN, the relaxation's own slopes). */
    final int alphaSteps;
    /** The optimised slopes per objective of this box (shared with its {@link #optimised} views). */
    final Map<SlopeOptimiser.Objective, double[][]> alphas;
    /** The parent box's optimised slopes: warm starts. */
    Map<SlopeOptimiser.Objective, double[][]> parentAlphas;
    /** Checked between units of work (layers, rows, backward passes, slope steps). */
    final Deadline deadline;

    /**
     * A linear function {@code coef · x + constant} of the inputs that bounds an objective from below at every
     * point of the region, with {@code coef · x} taken exactly: the constant already accounts for all rounding.
     */
    public record Linear(double[] coef, double constant) {
    }

    LinearBounds(BoundNetwork net, double[] xlo, double[] xhi, List<LinearConstraint> cons, Deadline deadline) {
        this.deadline = deadline;
        this.cons = List.copyOf(cons);
        this.net = net;
        this.xlo = xlo;
        this.xhi = xhi;
        this.xmag = new double[xlo.length];
        for (int i = 0; i < xmag.length; i++) {
            xmag[i] = Math.max(Math.abs(xlo[i]), Math.abs(xhi[i]));
            maxMag = Math.max(maxMag, xmag[i]);
        }
        int n = net.layers;
        lo = new double[n][];
        hi = new double[n][];
        la = new double[n][];
        lb = new double[n][];
        ua = new double[n][];
        ub = new double[n][];
        topSlack = new double[n][];
        slack = new double[n][];
        free = new boolean[n][];
        alphaSteps = 0;
        alphas = new HashMap<>(4);
    }

    private LinearBounds(LinearBounds base, int alphaSteps) {
        this.net = base.net;
        this.xlo = base.xlo;
        this.xhi = base.xhi;
        this.xmag = base.xmag;
        this.cons = base.cons;
        this.lo = base.lo;
        this.hi = base.hi;
        this.la = base.la;
        this.lb = base.lb;
        this.ua = base.ua;
        this.ub = base.ub;
        this.topSlack = base.topSlack;
        this.slack = base.slack;
        this.free = base.free;
        this.maxMag = base.maxMag;
        this.overflow = base.overflow;
        this.alphaSteps = alphaSteps;
        this.alphas = base.alphas;
        this.parentAlphas = base.parentAlphas;
        this.deadline = base.deadline;
    }

    /** Interval bound propagation only (fast, loose). */
    public static LinearBounds interval(BoundNetwork net, double[] xlo, double[] xhi) {
        return SymbolicForward.interval(net, xlo, xhi);
    }

    /** Symbolic forward propagation intersected with interval bounds. */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi) {
        return forward(net, xlo, xhi, false);
    }

    /**
     * Symbolic forward propagation; with {@code crown}, the bounds of every neuron that the forward bounds leave
     * unstable are tightened by backward passes through the relaxations of all earlier layers (CROWN), and the
     * tightened bounds feed the following layers.
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown) {
        return forward(net, xlo, xhi, crown, null);
    }

    /**
     * As {@link #forward(BoundNetwork, double[], double[], boolean)}, intersecting every pre-activation bound with
     * {@code parent}'s, computed over a box containing this one (so its bounds hold here too); neurons the parent
     * already proved stable need no backward pass.
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown,
                                       LinearBounds parent) {
        return forward(net, xlo, xhi, crown, parent, List.of());
    }

    /**
     * As {@link #forward(BoundNetwork, double[], double[], boolean, LinearBounds)}, over the part of the box where
     * the linear input constraints {@code cons} hold: every linear bound is minimised over that polytope
     * ({@link InputPolytope}) instead of the whole box. Only points of the polytope are covered by the bounds.
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown,
                                       LinearBounds parent, List<LinearConstraint> cons) {
        return forward(net, xlo, xhi, crown, parent, cons, Deadline.NONE);
    }

    /**
     * As {@link #forward(BoundNetwork, double[], double[], boolean, LinearBounds, List)}, stopping with
     * {@link Deadline.Expired} once {@code deadline} has passed (here and in every later use of these bounds).
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown,
                                       LinearBounds parent, List<LinearConstraint> cons, Deadline deadline) {
        return SymbolicForward.run(net, xlo, xhi, crown, parent, null, cons, deadline);
    }

    /**
     * As {@link #forward(BoundNetwork, double[], double[], boolean, LinearBounds, List, Deadline)}, intersecting
     * every pre-activation bound with {@code cover}'s too (when not null): bounds over another box containing this
     * one, under the same input constraints (a branch and bound lookahead's half of the parent box along another
     * input). A cover whose box does not contain this one is ignored.
     */
    public static LinearBounds forward(BoundNetwork net, double[] xlo, double[] xhi, boolean crown,
                                       LinearBounds parent, LinearBounds cover, List<LinearConstraint> cons,
                                       Deadline deadline) {
        return SymbolicForward.run(net, xlo, xhi, crown, parent, cover, cons, deadline);
    }

    /**
     * These bounds' box, input constraints and pre-activation bounds only (the arrays shared, no relaxations, slopes
     * or rounding terms): all a {@code cover} of {@link #forward(BoundNetwork, double[], double[], boolean,
     * LinearBounds, LinearBounds, List, Deadline)} reads, so that a search can keep many covers alive cheaply.
     */
    public LinearBounds coverOnly() {
        LinearBounds c = new LinearBounds(net, xlo, xhi, cons, deadline);
        for (int l = 0; l < lo.length; l++) {
            c.lo[l] = lo[l];
            c.hi[l] = hi[l];
        }
        c.overflow = overflow;
        return c;
    }

    /**
     * The same bounds, whose {@link #lowerBound} optimises the lower slopes of the unstable neurons for the
     * objective by {@code steps} steps of projected gradient ascent (α-CROWN), warm-started from the slopes the
     * parent box's optimised view found for the same objective. Any slopes in the valid range give a sound lower
     * relaxation, so the optimised bound is as sound as the plain one and never worse (the best iterate is
     * kept, and the plain relaxation is a candidate). Intermediate bounds are not changed.
     * Not thread-safe: one thread bounds a box at a time; children read the slopes after their parent is done.
     */
    public LinearBounds optimised(int steps) {
        return new LinearBounds(this, steps);
    }

    /**
     * A lower bound of {@code c · y} over the region, by one backward pass. When {@code coef} is given it receives
     * the linear function's coefficients on the inputs (for split heuristics); {@code argmin} the box corner
     * minimising that linear function (a promising candidate counterexample).
     */
    public double lowerBound(double[] c, double[] coef, double[] argmin) {
        return lowerBound(c, coef, argmin, Double.POSITIVE_INFINITY);
    }

    /**
     * As {@link #lowerBound(double[], double[], double[])}, where α-CROWN stops as soon as the bound exceeds
     * {@code target} (the caller only needs to know that it does: a refutation); with an infinite target it runs
     * every step. The bound returned is sound either way.
     */
    public double lowerBound(double[] c, double[] coef, double[] argmin, double target) {
        double[] x = argmin != null ? argmin : new double[xlo.length];
        Linear f = alphaSteps <= 0 ? backward(net.layers, c, null, null)
                : SlopeOptimiser.optimise(this, c, x, target);
        double v = value(f, x, true);
        if (coef != null) {
            System.arraycopy(f.coef(), 0, coef, 0, coef.length);
        }
        return v;
    }

    /**
     * The linear lower bound itself: fills {@code coef} with its input coefficients and returns its constant, so that
     * {@code c · y >= coef · x + constant} for every input of the region (the function is valid on the whole box when
     * there are no input constraints). Callers that combine or re-minimise bounds need this, not a minimum.
     */
    public double linearLowerBound(double[] c, double[] coef) {
        return linearLowerBound(c, coef, Double.POSITIVE_INFINITY);
    }

    /**
     * As {@link #linearLowerBound(double[], double[])}, where α-CROWN stops as soon as the function's minimum over
     * the region exceeds {@code target} (see {@link #lowerBound(double[], double[], double[], double)}).
     */
    public double linearLowerBound(double[] c, double[] coef, double target) {
        Linear f = alphaSteps <= 0 ? backward(net.layers, c, null, null)
                : SlopeOptimiser.optimise(this, c, new double[xlo.length], target);
        System.arraycopy(f.coef(), 0, coef, 0, coef.length);
        return f.constant();
    }

    /** The lower bound of the region given by {@code f}: its constant plus the minimum of its linear part. */
    double value(Linear f, double[] argmin, boolean polytope) {
        if (overflow) {
            return Double.NEGATIVE_INFINITY;
        }
        double m = polytope ? minimum(f.coef(), argmin) : boxMinimum(f.coef(), argmin);
        return Math.nextDown(f.constant() + m);
    }

    /**
     * A lower bound of the minimum of {@code coef · x} (exact arithmetic) over the region: the box, cut by the input
     * constraints when there are any. {@code argmin}, when given, receives the minimising box corner.
     */
    public double minimum(double[] coef, double[] argmin) {
        double v = boxMinimum(coef, argmin);
        return cons.isEmpty() ? v : Math.max(v, InputPolytope.min(coef, xlo, xhi, xmag, cons));
    }

    private double boxMinimum(double[] coef, double[] argmin) {
        double v = 0;
        double size = 0;
        for (int i = 0; i < coef.length; i++) {
            double ai = coef[i];
            v += ai > 0 ? ai * xlo[i] : ai * xhi[i];
            size += Math.abs(ai) * xmag[i];
            if (argmin != null) {
                argmin[i] = ai > 0 ? xlo[i] : ai < 0 ? xhi[i] : 0.5 * (xlo[i] + xhi[i]);
            }
        }
        return Math.nextDown(v - Rounding.up(Rounding.gamma(coef.length + 1) * size + Rounding.TINY, coef.length));
    }

    /** The backward pass (CROWN) for {@code c · ẑ_top}: see {@link BackwardPass#run}. */
    Linear backward(int top, double[] c, double[][] alpha, double[][] rec) {
        return BackwardPass.run(this, top, c, alpha, rec);
    }

    /** True when neuron {@code o} of layer {@code l} is unstable and its lower slope can be optimised. */
    boolean free(int l, int o) {
        return free[l][o];
    }

    /**
     * Stores layer {@code l}'s bounds (of the executed pre-activations), their relaxation lines and the backward
     * slacks ({@code eps}, {@code mag}: {@link DenseRounding}'s bounds for this layer).
     */
    void store(int l, double[] zl, double[] zu, double[] eps, double[] mag) {
        int out = zl.length;
        lo[l] = zl;
        hi[l] = zu;
        la[l] = new double[out];
        lb[l] = new double[out];
        ua[l] = new double[out];
        ub[l] = new double[out];
        topSlack[l] = new double[out];
        slack[l] = new double[out];
        free[l] = new boolean[out];
        boolean optimisable = !Double.isNaN(net.act[l].minLowerSlope());
        double g = Rounding.gamma(out + 1);
        double[] rel = new double[4];
        for (int o = 0; o < out; o++) {
            free[l][o] = optimisable && zl[o] < 0 && zu[o] > 0;
            net.act[l].relax(zl[o], zu[o], rel);
            la[l][o] = rel[0];
            lb[l][o] = rel[1];
            ua[l][o] = rel[2];
            ub[l][o] = rel[3];
            double zmag = Math.max(Math.abs(zl[o]), Math.abs(zu[o]));
            maxMag = Math.max(maxMag, zmag);
            topSlack[l][o] = Rounding.up(eps[o] + g * mag[o], 2);
            slack[l][o] = Rounding.up(topSlack[l][o] + 2 * Rounding.U * zmag, 2);
            overflow |= !(zmag < Double.POSITIVE_INFINITY) || !(slack[l][o] < Double.POSITIVE_INFINITY);
        }
    }

    /** Bounds of the executed pre-activations of layer {@code l} (the last layer's are the output bounds). */
    public double[] lower(int l) {
        return lo[l].clone();
    }

    public double[] upper(int l) {
        return hi[l].clone();
    }

    public int layers() {
        return net.layers;
    }

    /** True when float32 overflow could not be excluded on the region: every bound is then infinite. */
    public boolean overflow() {
        return overflow;
    }
}
