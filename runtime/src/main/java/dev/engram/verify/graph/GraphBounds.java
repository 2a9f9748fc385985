package dev.engram.verify.graph;

import dev.engram.model.dag.Dag;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;
import dev.engram.verify.bounds.Rounding;

import java.util.List;

/**
 * Bounds of every value of a {@link Dag} with one input over an input box, for the graph as executed in float32: an
 * interval pass through the {@link BoundOp}s in node order, each value widened by its operator's float32 error, and
 * for the arguments of non-linear operators that follow other non-linear ones, backward (CROWN) passes that tighten
 * them; then backward passes for linear functions of the output ({@link #lower}). Immutable and thread-safe.
 *
 * <p>A backward pass lower-bounds {@code Σ a·v̂} for the executed value {@code v̂ = v(args) + e}: at each value it takes
 * {@code −Σ|a|·err} for the error, then the operator's relaxation moves the coefficients to the arguments, down to the
 * input, where the linear function is minimised over the (widened) box. The constant is collected in double; its
 * rounding, and that of the final sum, is bounded by {@code 2^-30} times the sum of the magnitudes of every term
 * (Higham's {@code γ_T} for {@code T < 2^23} terms), which is subtracted.
 */
public final class GraphBounds {
    private final Dag dag;
    private final List<BoundOp> ops;
    private final boolean[] tighten;
    private final boolean[] onlyUnstable;
    /**
     * Per value: its place among the tightened ReLU arguments with no convolution or pooling before them
     * ({@link RangeSplitting}), or the largest int.
     */
    private final int[] splitRank;
    /** Per value: the input-space relaxation of a ReLU of an affine map of the input ({@link InputHull}), or null. */
    private final InputHull[] hulls;

    private GraphBounds(Dag dag, List<BoundOp> ops) {
        this.dag = dag;
        this.ops = ops;
        int nv = dag.valueCount();
        hulls = new InputHull[nv];
        for (int k = 0; k < ops.size(); k++) {
            int z = dag.nodes().get(k).arg(0);
            if (ops.get(k) instanceof ReluBound relu && relu.leak() == 0 && z > 0
                    && ops.get(z - 1) instanceof AffineOp affine && dag.nodes().get(z - 1).arg(0) == 0) {
                hulls[1 + k] = new InputHull(affine.map);
            }
        }
        boolean[] behindNonlinear = new boolean[nv];
        tighten = new boolean[nv];
        onlyUnstable = new boolean[nv];
        java.util.Arrays.fill(onlyUnstable, true);
        for (int k = 0; k < ops.size(); k++) {
            Dag.Node n = dag.nodes().get(k);
            int v = 1 + k;
            for (int a : n.args()) {
                behindNonlinear[v] |= behindNonlinear[a] || (a > 0 && ops.get(a - 1).nonlinear());
                if (ops.get(k).nonlinear()) {
                    onlyUnstable[a] &= ops.get(k) instanceof ReluBound;
                }
            }
        }
        for (int k = 0; k < ops.size(); k++) {
            for (int a : dag.nodes().get(k).args()) {
                if (ops.get(k).nonlinear() && a > 0 && !ops.get(a - 1).nonlinear() && behindNonlinear[a]) {
                    tighten[a] = true;
                }
            }
        }
        splitRank = new int[nv];
        int rank = 0;
        boolean windows = false; // a convolution or pooling so far: one element's pass costs a whole image's
        for (int v = 0; v < nv; v++) {
            windows |= v > 0 && (ops.get(v - 1) instanceof ConvBound || ops.get(v - 1) instanceof AveragePoolBound
                    || ops.get(v - 1) instanceof MaxPoolBound);
            splitRank[v] = tighten[v] && onlyUnstable[v] && !windows ? rank++ : Integer.MAX_VALUE;
        }
    }

    /**
     * The bounds of {@code dag}.
     *
     * @throws IllegalArgumentException when the graph does not have one input and one output, or an operator has no
     *                                  bounds (the message names the node)
     */
    public static GraphBounds of(Dag dag) {
        if (dag.inputs().size() != 1 || dag.outputs().size() != 1) {
            throw new IllegalArgumentException("bounds need a graph with one input and one output, not "
                    + dag.inputs().size() + " and " + dag.outputs().size());
        }
        return new GraphBounds(dag, BoundOps.of(dag));
    }

    /** Whether the graph has ReLU elements to split. */
    public boolean hasRelu() {
        return ops.stream().anyMatch(o -> o instanceof ReluBound);
    }

    List<BoundOp> ops() {
        return ops;
    }

    public Dag dag() {
        return dag;
    }

    public int inputSize() {
        return dag.shape(0).size();
    }

    public int outputSize() {
        return dag.shape(output()).size();
    }

    int output() {
        return dag.outputs().get(0).value();
    }

    /**
     * The bounds of every value, and their error terms, over one input box; with the slopes its optimised tightening
     * passes ended with (null: none), where a subdomain's passes start ({@link #refine}).
     */
    public record Ranges(Range[] values, double[][] errors, RangeSlopes slopes) {
        public Ranges(Range[] values, double[][] errors) {
            this(values, errors, null);
        }

        public Range output(GraphBounds g) {
            return values[g.output()];
        }
    }

    /**
     * A ReLU split: element {@code element} of value {@code value} (a ReLU's argument) is at least 0
     * ({@code active}) or at most 0, as executed: the bounds then hold on the part of the box where it is. With a
     * {@code threshold} t (an S-curve cut, {@link SCurveSplitSearch}): at least t or at most t.
     */
    public record Split(int value, int element, boolean active, double threshold) {
        public Split(int value, int element, boolean active) {
            this(value, element, active, 0);
        }
    }

    /** Interval bounds of every value over {@code box}, tightened by backward passes where they matter. */
    public Ranges ranges(Box box, Deadline deadline) {
        return ranges(box, List.of(), deadline);
    }

    /**
     * {@link #ranges(Box, Deadline)} with the tightening passes optimised by α-CROWN for {@code steps} steps each
     * (per element and side its own slopes; tighter, about {@code steps} times the cost).
     */
    public Ranges ranges(Box box, int steps, Deadline deadline) {
        return ranges(box, List.of(), steps, 1, deadline);
    }

    /**
     * {@link #ranges(Box, int, Deadline)} with each value's tightening passes (independent chunks of rows) spread over
     * {@code threads} threads.
     */
    public Ranges ranges(Box box, int steps, int threads, Deadline deadline) {
        return ranges(box, List.of(), steps, threads, deadline);
    }

    /** {@link #ranges(Box, Deadline)} on the part of the box where every split holds. */
    public Ranges ranges(Box box, List<Split> splits, Deadline deadline) {
        return ranges(box, splits, 0, 1, deadline);
    }

    private Ranges ranges(Box box, List<Split> splits, int steps, int threads, Deadline deadline) {
        int n = box.dimension();
        double[] lo = new double[n];
        double[] hi = new double[n];
        double[] err = new double[n];
        for (int i = 0; i < n; i++) {
            lo[i] = box.lo()[i];
            hi[i] = box.hi()[i];
            // the input rounded to float32 (a real point of the box given as a float32 input)
            err[i] = Math.nextUp(Rounding.F32_U * Math.max(Math.abs(lo[i]), Math.abs(hi[i])) + Rounding.F32_TINY);
        }
        return forward(new Range(lo, hi).widen(err), splits, steps, threads, deadline);
    }

    /** The exact (real-arithmetic) values at point {@code x} as ranges, no error terms: for linearisation. */
    public Ranges point(double[] x) {
        return forward(Range.point(x), null, 0, 1, Deadline.NONE);
    }

    /** The forward pass; {@code splits} null: exact values at a point, no error terms. */
    private Ranges forward(Range input, List<Split> splits, int steps, int threads, Deadline deadline) {
        int nv = dag.valueCount();
        Range[] values = new Range[nv];
        values[0] = input;
        return propagate(new Ranges(values, new double[nv][]), 0, null, splits, steps, threads, ops.size(), deadline);
    }

    /**
     * The ranges of a subdomain whose newest split is on value {@code from}: {@code sub}'s ranges (its parent's, the
     * split elements clamped) with every value after {@code from} recomputed from the clamped ones (intervals, and
     * CROWN passes where {@link #ranges} tightens) and intersected with {@code sub}'s, which also hold there. Null
     * when some range becomes empty: no execution meets the splits.
     */
    Ranges refine(Ranges sub, List<Split> splits, int from, Deadline deadline) {
        return propagate(sub, from, sub.values(), splits, 0, 1, ops.size(), deadline);
    }

    /** {@link #refine} of the values before {@code to} only. */
    Ranges refine(Ranges sub, List<Split> splits, int from, int to, Deadline deadline) {
        return propagate(sub, from, sub.values(), splits, 0, 1, to - 1, deadline);
    }

    /** {@link #refine} without splits, the tightening passes optimised for {@code steps} steps (experiments). */
    Ranges refineOptimised(Ranges sub, int from, int steps, Deadline deadline) {
        return propagate(sub, from, sub.values(), List.of(), steps, 1, ops.size(), deadline);
    }

    /**
     * Recomputes the values of operators {@code from..} from the earlier values of {@code start}, each intersected
     * with {@code prior}'s (null: none), up to operator {@code to} (exclusive); {@code splits} null: exact values at a
     * point. Null when a range is empty.
     */
    private Ranges propagate(Ranges start, int from, Range[] prior, List<Split> splits, int steps, int threads,
                             int to, Deadline deadline) {
        boolean executed = splits != null;
        Range[] values = start.values().clone();
        double[][] errors = start.errors().clone();
        RangeSlopes slopes = prior == null && steps > 0 ? new RangeSlopes(values.length) : start.slopes();
        for (int k = from; k < to; k++) {
            deadline.check();
            int v = 1 + k;
            BoundOp op = ops.get(k);
            Range[] args = args(values, dag.nodes().get(k).args());
            double[] lo = new double[op.size()];
            double[] hi = new double[op.size()];
            op.interval(args, lo, hi);
            Range r = new Range(lo, hi);
            if (!executed) {
                values[v] = r;
                continue;
            }
            errors[v] = op.error(args);
            if (prior != null && java.util.Arrays.equals(errors[v], start.errors()[v])) {
                errors[v] = start.errors()[v]; // unchanged: shared with the parent subdomain (arrays never change)
            }
            r = r.widen(errors[v]);
            if (prior != null) {
                r = r.intersect(prior[v]);
            }
            if (tighten[v]) {
                Tightening t = new Tightening(this, new Ranges(values, errors), v, deadline);
                r = r.intersect(t.bounds(r, onlyUnstable[v], steps, threads, prior == null ? slopes : null,
                        prior == null ? null : slopes, splits));
                if (prior == null && steps > 0 && splitRank[v] < RangeSplitting.LAYERS) {
                    Range s = RangeSplitting.tighten(this, new Ranges(values, errors, slopes), v, r, threads, deadline);
                    r = s == null ? r : r.intersect(s);
                }
            }
            values[v] = split(r, v, splits);
            if (prior != null && empty(values[v])) {
                return null;
            }
            if (prior != null && java.util.Arrays.equals(values[v].lo(), prior[v].lo())
                    && java.util.Arrays.equals(values[v].hi(), prior[v].hi())) {
                values[v] = prior[v]; // unchanged: shared with the parent subdomain
            }
        }
        return new Ranges(values, errors, slopes);
    }

    private static boolean empty(Range r) {
        for (int i = 0; i < r.size(); i++) {
            if (r.lo()[i] > r.hi()[i]) {
                return true;
            }
        }
        return false;
    }

    private static Range split(Range r, int v, List<Split> splits) {
        Range out = r;
        for (Split s : splits) {
            if (s.value() == v) {
                if (out == r) {
                    out = new Range(r.lo().clone(), r.hi().clone());
                }
                if (s.active()) {
                    out.lo()[s.element()] = Math.max(out.lo()[s.element()], s.threshold());
                } else {
                    out.hi()[s.element()] = Math.min(out.hi()[s.element()], s.threshold());
                }
            }
        }
        return out;
    }

    private static Range[] args(Range[] values, int[] a) {
        Range[] r = new Range[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = values[a[i]];
        }
        return r;
    }

    /**
     * Lower bounds of {@code rows[r] · ŷ} (ŷ the output as executed) over the ranges' box, with the linear functions
     * of the input they come from.
     */
    public Linear lower(Ranges ranges, double[][] rows) {
        return pass(ranges, output(), rows);
    }

    /**
     * Lower bounds of {@code rows[r] · ŷ} optimised by α-CROWN ({@link BetaCrown} without splits) for at most {@code steps} steps,
     * stopping early once some row's bound exceeds {@code stop[r]}; never looser than {@link #lower}.
     */
    public Linear lowerOptimised(Ranges ranges, double[][] rows, double[] stop, int steps, Deadline deadline) {
        return BetaCrown.optimise(this, ranges, List.of(), rows, stop, steps, null, deadline).linear();
    }

    /**
     * Linear lower bounds over the input box: per row r, {@code coef[r]·x + constant[r] <= f_r(x)} at every input x of
     * the box (the executed value, every rounding included), and {@code bound[r]} its minimum over the box.
     */
    public record Linear(double[] bound, double[][] coef, double[] constant) {
    }

    /** One backward pass from value {@code target} with coefficient rows {@code a} (consumed). */
    Linear pass(Ranges ranges, int target, double[][] a) {
        return pass(ranges, target, a, new Backward(a.length));
    }

    /** One backward pass with the given pass state (α slopes, recording). */
    Linear pass(Ranges ranges, int target, double[][] a, Backward pb) {
        double[][][] coef = new double[dag.valueCount()][][];
        coef[target] = a;
        descend(ranges, coef, target, 1, pb);
        return atInput(ranges, coef[0], a.length, pb);
    }

    /** Relaxes values {@code from} down to {@code to} of a pass: their coefficients move to their arguments'. */
    void descend(Ranges ranges, double[][][] coef, int from, int to, Backward pb) {
        Range[] values = ranges.values();
        for (int v = from; v >= to; v--) {
            double[][] av = coef[v];
            if (av == null) {
                continue;
            }
            int rows = av.length;
            addExtra(av, pb, v);
            errorTerm(av, ranges, v, pb);
            Dag.Node node = dag.nodes().get(v - 1);
            int[] argIds = node.args();
            double[][][] argA = new double[argIds.length][][];
            for (int k = 0; k < argIds.length; k++) {
                if (coef[argIds[k]] == null) {
                    coef[argIds[k]] = new double[rows][values[argIds[k]].size()];
                }
                argA[k] = coef[argIds[k]];
            }
            pb.node = v;
            pb.argIds = argIds;
            if (hulls[v] != null && InputHull.STEPS > 0 && pb.groupRows() <= InputHull.MAX_ROWS && !pb.triangleOnly) {
                if (coef[0] == null) {
                    coef[0] = new double[rows][values[0].size()];
                }
                hulls[v].backward((ReluBound) ops.get(v - 1), av, ranges, argIds[0], argA[0], coef[0], pb);
            } else {
                ops.get(v - 1).backward(av, args(values, argIds), argA, pb);
            }
            coef[v] = null;
        }
    }

    /** The end of a pass: the input's coefficients {@code in} (null: none) over the box, with the rounding allowance. */
    Linear atInput(Ranges ranges, double[][] in, int rows, Backward pb) {
        if (in == null) {
            in = new double[rows][inputSize()];
        }
        double[] bound = new double[rows];
        double[] constant = new double[rows];
        for (int r = 0; r < rows; r++) {
            Range x = pb.ranges(r, ranges).values()[0];
            double size = 0;
            for (int i = 0; i < in[r].length; i++) {
                if (in[r][i] != 0) {
                    size += Math.abs(in[r][i]) * x.mag(i);
                }
            }
            // the constant's and the coefficients' rounding over the box (Higham's γ_T, T < 2^23 terms)
            double c = Math.nextDown(pb.constant[r] - 0x1p-30 * (pb.magnitude[r] + size));
            constant[r] = Double.isNaN(c) ? Double.NEGATIVE_INFINITY : c;
            bound[r] = minimum(in[r], constant[r], x);
        }
        return new Linear(bound, in, constant);
    }

    /** Adds the pass's extra coefficients of value v (β's split terms) to {@code av}. */
    private static void addExtra(double[][] av, Backward pb, int v) {
        if (pb.extra == null || pb.extra[v] == null) {
            return;
        }
        for (int r = 0; r < av.length; r++) {
            double[] e = pb.extra[v][r];
            for (int i = 0; i < e.length; i++) {
                av[r][i] += e[i];
            }
        }
    }

    /**
     * The ranges of a subdomain of {@code parent} where split {@code s} also holds: the parent's ranges (valid on any
     * part of its region) with the split element's range clamped at its threshold (0 for a ReLU split); null when that range becomes empty (no
     * execution meets the split). The error terms stay the parent's (they only shrink with the ranges).
     */
    Ranges withSplit(Ranges parent, Split s) {
        Range[] values = parent.values().clone();
        Range r = values[s.value()];
        double[] lo = r.lo().clone();
        double[] hi = r.hi().clone();
        if (s.active()) {
            lo[s.element()] = Math.max(lo[s.element()], s.threshold());
        } else {
            hi[s.element()] = Math.min(hi[s.element()], s.threshold());
        }
        if (!(lo[s.element()] <= hi[s.element()])) {
            return null;
        }
        values[s.value()] = new Range(lo, hi);
        return SplitNeighbours.narrow(this, new Ranges(values, parent.errors(), parent.slopes()), s);
    }

    /** {@code min over the range of coef·x + constant}, rounded down. */
    static double minimum(double[] coef, double constant, Range x) {
        double s = constant;
        double mag = Math.abs(constant);
        for (int i = 0; i < coef.length; i++) {
            double c = coef[i];
            if (c != 0) {
                double t = c * (c > 0 ? x.lo()[i] : x.hi()[i]);
                s += t;
                mag += Math.abs(t);
            }
        }
        double b = Math.nextDown(s - 0x1p-30 * mag);
        return Double.isNaN(b) ? Double.NEGATIVE_INFINITY : b;
    }

    /** Takes {@code Σ|a|·err} of value v's float32 error (each row's subdomain's) from each row's constant. */
    private static void errorTerm(double[][] a, Ranges ranges, int v, Backward pb) {
        for (int r = 0; r < a.length; r++) {
            double[] err = pb.ranges(r, ranges).errors()[v];
            if (err == null) {
                continue;
            }
            double s = 0;
            for (int i = 0; i < err.length; i++) {
                s += Rounding.mulPos(Math.abs(a[r][i]), err[i]);
            }
            if (s != 0) {
                pb.add(r, -s);
            }
        }
    }

    /** The gradient of {@code row · y} at input {@code x} (the exact network's local linearisation). */
    public double[] gradient(double[] x, double[] row) {
        return pass(point(x), output(), new double[][] {row.clone()}).coef()[0];
    }
}
