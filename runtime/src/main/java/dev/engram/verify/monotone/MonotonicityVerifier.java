package dev.engram.verify.monotone;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.Verdict;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.LinearBounds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Decides a {@link Monotonicity} on a dense network: branch and bound over the region on sound bounds of the
 * partial derivative ({@link DerivativeBounds}), and a search for pairs that break it ({@link PairSearch}).
 *
 * <p>Each subdomain gets the verifier's bounds of every pre-activation (symbolic forward bounds tightened by CROWN,
 * intersected with its parent's, over the region's linear constraints), and from them bounds of the derivative. It
 * is proved when the lower bound is {@code >= 0}; where the upper bound is {@code < 0} the output decreases there in
 * real arithmetic, and the ends of the subdomain are tried as a pair; otherwise it is split at the middle of the
 * input with the largest {@code width × Σ|W_1[:, i]|}. The split depends only on the box and the first layer, so the
 * tree is the same for every network that shares its hidden layers (what the monotone lowering relies on: it changes
 * only the last layer, and {@link #partition} gives the leaves it constrains).
 *
 * <p>What "proved" means: {@code a·y} is non-decreasing in the input over the region <em>in real arithmetic</em>. In
 * float32 execution rounding can make the output locally non-monotone by a few ulps; every executed output lies
 * within {@code E} of the real one ({@link DerivativeBounds#error}), so for float32 inputs {@code x <= x'} of the
 * region {@code a·ŷ(x') >= a·ŷ(x) − τ} with the tolerance {@code τ = 2E} reported with the verdict. A counterexample
 * is a pair whose executed drop exceeds {@code τ}: then the real network decreases too, and no proof can exist.
 */
public final class MonotonicityVerifier {
    /** Subdomains explored before answering unknown. */
    public static final int MAX_SUBDOMAINS = 4000;
    /** Subdomains bounded at most to make a proof's float32 tolerance smaller. */
    static final int REFINE = 128;
    /** Lines scanned on the whole region before branch and bound. */
    static final int FIRST_LINES = 200;

    private MonotonicityVerifier() {
    }

    /** A subdomain of the final partition and its bounds. */
    public record Leaf(Box box, DerivativeBounds bounds) {
    }

    /**
     * The verdict ({@code unsat}: proved; {@code sat}: a pair, {@link Verdict.Sat#partner()} the larger input), the
     * float32 tolerance {@code τ} of a proof, the leaves of the partition, and the subdomains bounded.
     */
    public record Result(Verdict verdict, double tolerance, List<Leaf> leaves, int subdomains) {
        public Result {
            leaves = List.copyOf(leaves);
        }
    }

    /** Decides {@code m} on {@code net} within {@code timeoutSeconds}. */
    public static Result verify(DenseNetwork net, Monotonicity m, double timeoutSeconds) {
        return new Search(net, m, timeoutSeconds, MAX_SUBDOMAINS, true).run();
    }

    /**
     * The partition the verifier would explore, split breadth-first until every leaf is proved or there are
     * {@code maxLeaves} leaves, without looking for pairs: the subdomains a repair of the last layer must constrain.
     */
    public static Result partition(DenseNetwork net, Monotonicity m, int maxLeaves, double timeoutSeconds) {
        return new Search(net, m, timeoutSeconds, maxLeaves, false).run();
    }

    /** Why {@code net} cannot be handled, or null. */
    public static String unsupported(DenseNetwork net) {
        String why = BoundNetwork.of(net).unsupported();
        if (why != null) {
            return why;
        }
        for (int l = 0; l < net.layers().size() - 1; l++) {
            DenseLayer d = net.layers().get(l);
            if (DerivativeBounds.slopes(d) == null) {
                return "layer " + d.name() + ": activation " + d.activation() + " is not piecewise linear";
            }
        }
        DenseLayer out = net.layers().get(net.layers().size() - 1);
        if (out.activation() != dev.engram.model.Activation.IDENTITY) {
            return "the output layer " + out.name() + " has activation " + out.activation()
                    + "; monotonicity is verified on networks with a linear output layer";
        }
        return null;
    }

    private record Node(Box box, LinearBounds parent) {
    }

    /** One run: the queue of subdomains, the leaves, the verdict. */
    private static final class Search {
        private final DenseNetwork net;
        private final Monotonicity m;
        private final BoundNetwork bn;
        private final double timeout;
        private final int budget;
        private final boolean decide;
        private final double[] influence;
        private final long t0 = System.nanoTime();
        private final List<Leaf> leaves = new ArrayList<>();
        private int open;
        private int decreasing;
        private double worst = Double.POSITIVE_INFINITY;
        private double tolerance;
        private int refined;
        private double range;
        private final List<LinearBounds> provedBounds = new ArrayList<>();

        Search(DenseNetwork net, Monotonicity m, double timeout, int budget, boolean decide) {
            this.net = net;
            this.m = m;
            this.bn = BoundNetwork.of(net);
            this.timeout = timeout;
            this.budget = budget;
            this.decide = decide;
            this.influence = new double[net.inputSize()];
            for (float[] row : net.layers().get(0).weight()) {
                for (int i = 0; i < row.length; i++) {
                    influence[i] += Math.abs(row[i]);
                }
            }
        }

        Result run() {
            String why = unsupported(net);
            if (why != null) {
                return new Result(new Verdict.Unknown(why, seconds()), Double.NaN, List.of(), 0);
            }
            Box region = floats(m.box());
            if (region == null) {
                return done(new Verdict.Unsat(seconds()), 0);
            }
            Deque<Node> queue = new ArrayDeque<>();
            queue.add(new Node(region, null));
            int bounded = 0;
            Random r = new Random(17);
            while (!queue.isEmpty()) {
                if (seconds() > timeout) {
                    queue.forEach(n -> open++);
                    return done(new Verdict.Timeout(seconds()), bounded);
                }
                Node n = queue.poll();
                LinearBounds lb = LinearBounds.forward(bn, n.box().lo(), n.box().hi(), true, n.parent(),
                        m.region().constraints());
                bounded++;
                DerivativeBounds d = bounds(lb, n.box());
                if (bounded == 1) {
                    tolerance = 2 * d.error();
                    range = range(lb);
                    if (!Double.isFinite(tolerance)) {
                        return done(new Verdict.Unknown("float32 overflow cannot be excluded on the region",
                                seconds()), bounded);
                    }
                    Verdict.Sat s = decide ? new PairSearch(net, m, tolerance).search(n.box(), FIRST_LINES, r, t0)
                            : null;
                    if (s != null) {
                        return done(s, bounded);
                    }
                }
                if (d.nonNegative()) {
                    leaves.add(new Leaf(n.box(), d));
                    provedBounds.add(lb);
                    continue;
                }
                if (decide && d.hi() < 0) {
                    Verdict.Sat s = new PairSearch(net, m, tolerance).search(n.box(), 4, r, t0);
                    if (s != null) {
                        return done(s, bounded);
                    }
                    decreasing++;
                }
                worst = Math.min(worst, d.lo());
                int dim = splitDimension(n.box());
                boolean full = decide ? bounded + queue.size() + 2 > budget : leaves.size() + queue.size() + 2 > budget;
                if (dim < 0 || full || decide && d.hi() < 0) {
                    leaves.add(new Leaf(n.box(), d));
                    open++;
                    continue;
                }
                if (decide && bounded % 16 == 0) {
                    Verdict.Sat s = new PairSearch(net, m, tolerance).search(n.box(), 2, r, t0);
                    if (s != null) {
                        return done(s, bounded);
                    }
                }
                split(n.box(), dim, lb, queue);
            }
            if (open == 0) {
                tolerance = decide ? refine(bounded) : tolerance;
                return done(new Verdict.Unsat(seconds()), bounded + refined);
            }
            return done(new Verdict.Unknown(open + " subdomain(s) not proved" + (decreasing > 0 ? " (on " + decreasing
                    + " the output decreases in real arithmetic, by less than the float32 tolerance)" : "")
                    + "; lowest derivative bound " + String.format(java.util.Locale.ROOT, "%.3g", worst),
                    seconds()), bounded);
        }

        /**
         * The tolerance of a proof, {@code 2 max E} over the leaves, made smaller by splitting the leaf with the largest
         * {@code E} (smaller boxes give smaller magnitudes, and ReLUs proved inactive pass no error on) until it is
         * below {@code 10^-4} of the objective's range, or {@link #REFINE} more subdomains, or a quarter of the time
         * left. Every child of a proved leaf is proved again (its bounds lie within its parent's); a leaf whose
         * children are not both proved stays as it is.
         */
        private double refine(int bounded) {
            java.util.PriorityQueue<Integer> worst = new java.util.PriorityQueue<>(
                    (x, y) -> Double.compare(leaves.get(y).bounds().error(), leaves.get(x).bounds().error()));
            List<Leaf> all = new ArrayList<>(leaves);
            for (int k = 0; k < all.size(); k++) {
                worst.add(k);
            }
            double target = 1e-4 * range;
            double stop = seconds() + Math.max(0, timeout - seconds()) / 4;
            List<Leaf> kept = new ArrayList<>();
            while (!worst.isEmpty() && refined < REFINE && seconds() < stop
                    && 2 * leaves.get(worst.peek()).bounds().error() > target) {
                int k = worst.poll();
                Leaf leaf = leaves.get(k);
                int dim = splitDimension(leaf.box());
                List<Leaf> children = dim < 0 ? List.of() : children(leaf.box(), dim, provedBounds.get(k));
                if (children.size() != 2) {
                    kept.add(leaf);
                    continue;
                }
                for (Leaf c : children) {
                    leaves.add(c);
                    worst.add(leaves.size() - 1);
                }
            }
            worst.forEach(k -> kept.add(leaves.get(k)));
            leaves.clear();
            leaves.addAll(kept);
            double t = 0;
            for (Leaf l : leaves) {
                t = Math.max(t, 2 * l.bounds().error());
            }
            return t;
        }

        /** The two halves of {@code b} at the middle of {@code dim}, when both are proved (else fewer). */
        private List<Leaf> children(Box b, int dim, LinearBounds parent) {
            Deque<Node> halves = new ArrayDeque<>();
            split(b, dim, parent, halves);
            List<Leaf> out = new ArrayList<>();
            for (Node n : halves) {
                LinearBounds lb = LinearBounds.forward(bn, n.box().lo(), n.box().hi(), true, parent,
                        m.region().constraints());
                refined++;
                DerivativeBounds d = bounds(lb, n.box());
                if (d.nonNegative()) {
                    out.add(new Leaf(n.box(), d));
                    provedBounds.add(lb);
                }
            }
            return out;
        }

        /**
         * The box shrunk to its float32 values (the network only ever receives float32 inputs), or null when some
         * input has none.
         */
        private static Box floats(Box b) {
            double[] lo = new double[b.dimension()];
            double[] hi = new double[b.dimension()];
            for (int i = 0; i < lo.length; i++) {
                lo[i] = PairSearch.inside((float) b.lo()[i], b.lo()[i], b.hi()[i]);
                hi[i] = PairSearch.inside((float) b.hi()[i], b.lo()[i], b.hi()[i]);
                if (!(lo[i] >= b.lo()[i] && hi[i] <= b.hi()[i] && lo[i] <= hi[i])) {
                    return null;
                }
            }
            return new Box(lo, hi);
        }

        /** The size of the objective's values over the root box: {@code Σ |a_k| max(|lo_k|, |hi_k|)}. */
        private double range(LinearBounds lb) {
            double[] lo = lb.lower(lb.layers() - 1);
            double[] hi = lb.upper(lb.layers() - 1);
            double s = 0;
            for (int k = 0; k < lo.length; k++) {
                s += Math.abs(m.objective()[k]) * Math.max(Math.abs(lo[k]), Math.abs(hi[k]));
            }
            return s;
        }

        private DerivativeBounds bounds(LinearBounds lb, Box box) {
            int layers = lb.layers();
            double[][] zlo = new double[layers][];
            double[][] zhi = new double[layers][];
            for (int l = 0; l < layers; l++) {
                zlo[l] = lb.lower(l);
                zhi[l] = lb.upper(l);
            }
            return DerivativeBounds.of(net, zlo, zhi, box.lo(), box.hi(), m.slot(), m.objective());
        }

        /** The input with the largest width × first-layer influence, or -1 when no input can be split. */
        private int splitDimension(Box b) {
            int best = -1;
            double score = 0;
            for (int i = 0; i < influence.length; i++) {
                double w = b.hi()[i] - b.lo()[i];
                double mid = b.lo()[i] + w / 2;
                if (!(mid > b.lo()[i] && mid < b.hi()[i])) {
                    continue;
                }
                double s = w * influence[i];
                if (s > score) {
                    score = s;
                    best = i;
                }
            }
            return best;
        }

        private static void split(Box b, int dim, LinearBounds parent, Deque<Node> queue) {
            double mid = b.lo()[dim] + (b.hi()[dim] - b.lo()[dim]) / 2;
            double[] hi1 = b.hi().clone();
            hi1[dim] = mid;
            double[] lo2 = b.lo().clone();
            lo2[dim] = mid;
            queue.add(new Node(new Box(b.lo(), hi1), parent));
            queue.add(new Node(new Box(lo2, b.hi()), parent));
        }

        private Result done(Verdict v, int bounded) {
            return new Result(v, tolerance, leaves, bounded);
        }

        private double seconds() {
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
