package dev.engram.verify;

import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Deadline;
import dev.engram.verify.bounds.LinearBounds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * One branch-and-bound search over one box of a property's region, run by a fork/join pool. Each subdomain goes
 * through the same steps ({@link #step}): bound it, refute what can be refuted ({@link #refute}), probe it for a
 * counterexample ({@link #probe}), choose a split ({@link #lookahead}, else {@link #widestInfluential}) and descend
 * ({@link #descend}): one half is explored next by this thread, the other is forked for an idle worker.
 */
final class SubdomainSearch {
    /** Deepest split before a subdomain is given up as unknown. */
    static final int MAX_DEPTH = 120;
    /**
     * The share of the current bound a lookahead split must gain to be chosen; below it the split falls back to
     * the widest influential input ({@code |coefficient| x width}), so greedy tiny gains do not keep cutting one
     * input while others stay wide.
     */
    static final double LOOKAHEAD_GAIN = Double.parseDouble(System.getProperty("engram.verify.lookaheadGain", "0.05"));
    /**
     * The most inputs a lookahead tries (the most influential ones, by {@code |coefficient| x width} in the weakest
     * bound): each costs two bound passes, which on a high-dimensional input would make one subdomain take minutes.
     */
    static final int LOOKAHEAD_INPUTS = Integer.getInteger("engram.verify.lookaheadInputs", 8);
    /** α-CROWN steps on subdomains plain CROWN does not refute (0: off). */
    static final int ALPHA_STEPS = Integer.getInteger("engram.verify.alphaSteps", 10);
    static final boolean ALPHA_COMBINED = !Boolean.getBoolean("engram.verify.alphaEach");
    static final boolean DEBUG = Boolean.getBoolean("engram.verify.debug");
    /**
     * Subdomains every box may explore before the end of the first round is checked: a region of many small boxes
     * (a repair's partition) is then mostly decided in that round instead of being left, box after box, to the
     * strong attack (which on 1,024 boxes took the whole time limit).
     */
    static final int MIN_ROUND_NODES = 64;

    final BoundNetwork net;
    final Falsifier falsifier;
    final List<List<LinearConstraint>> conj;
    final List<LinearConstraint> inputCons;
    final Deadline deadline;
    /**
     * The end of this round ({@link System#nanoTime}), checked before each subdomain: a soft limit, unlike
     * {@link #deadline}, which every bound pass checks.
     */
    volatile long roundEnd;
    /** The widths of the searched box. */
    final double[] width0;
    final AtomicReference<double[]> witness = new AtomicReference<>();
    final AtomicLong nodes = new AtomicLong();
    final AtomicLong leaves = new AtomicLong();
    /** Bound passes the lookaheads made (debug output only). */
    final AtomicLong halfPasses = new AtomicLong();
    /** Fraction of the box's volume refuted so far (debug output only). */
    final DoubleAdder refutedVolume = new DoubleAdder();
    volatile boolean timedOut;
    volatile boolean gaveUp;
    /**
     * The subdomains left unexplored when the round ended ({@link #roundEnd}): the next round resumes from them
     * ({@link #resume}), so no work is done twice. Together with the refuted leaves they cover the box.
     */
    final ConcurrentLinkedQueue<Node> pending = new ConcurrentLinkedQueue<>();
    /** True when the round ended (the soft limit) rather than the search finishing or the deadline passing. */
    volatile boolean roundOver;

    /**
     * One subdomain: the box {@code [lo, hi]} after {@code depth} splits, the conjunctions still open (bit k for
     * conjunction k), the parent's bounds and, when the parent's lookahead computed them already, its own, and the
     * bounds of the parent's halves that lookahead computed ({@code sides[2i]}, {@code [2i + 1]}: the lower and upper
     * half along input i, or null; along every other input they contain this node's halves) with the better half's
     * score along each input ({@code hint}, -inf where not tried).
     */
    record Node(double[] lo, double[] hi, int depth, long open, LinearBounds parent, LinearBounds self,
                LinearBounds[] sides, double[] hint) {
    }

    /**
     * What bounding left open on a subdomain: the conjunctions not refuted, the weakest one's score (how close it
     * came), and its bound's input coefficients and minimiser (for probing and branching).
     */
    private record Unrefuted(long open, double score, double[] coef, double[] arg) {
    }

    /** A split of input {@code dim}; {@code refutedHalf} -1 or 1 when the lower or upper half is refuted already. */
    private record Split(int dim, int refutedHalf, LinearBounds low, LinearBounds high) {
        static final Split BOTH_REFUTED = new Split(-1, 0, null, null);
    }

    SubdomainSearch(BoundNetwork net, Falsifier falsifier, Property p, Box box, Deadline deadline, long roundEnd) {
        this.width0 = new double[box.dimension()];
        for (int i = 0; i < width0.length; i++) {
            width0[i] = box.hi()[i] - box.lo()[i];
        }
        this.net = net;
        this.falsifier = falsifier;
        this.conj = p.unsafe();
        this.inputCons = p.region().constraints();
        this.deadline = deadline;
        this.roundEnd = roundEnd;
        if (conj.size() > 62) {
            throw new IllegalArgumentException("at most 62 unsafe conjunctions are supported");
        }
    }

    /** The task exploring the whole box. */
    RecursiveAction root(Box box) {
        return task(new Node(box.lo().clone(), box.hi().clone(), 0, (1L << conj.size()) - 1, null, null, null, null));
    }

    /**
     * The task exploring what the last round left (see {@link #pending}), in a new round ending at {@code end}.
     */
    RecursiveAction resume(long end) {
        List<Node> todo = new ArrayList<>(pending);
        pending.clear();
        roundEnd = end;
        roundOver = false;
        return new RecursiveAction() {
            @Override
            protected void compute() {
                List<RecursiveAction> tasks = new ArrayList<>();
                for (Node n : todo) {
                    tasks.add(task(n));
                }
                invokeAll(tasks);
            }
        };
    }

    boolean stop() {
        return witness.get() != null || timedOut || roundOver;
    }

    private RecursiveAction task(Node node) {
        return new RecursiveAction() {
            @Override
            protected void compute() {
                explore(node);
            }
        };
    }

    /**
     * Explores {@code start} depth first: each step continues with one half in this thread and forks the other;
     * the forked halves are joined at the end, latest first (as the recursion they replace would).
     */
    void explore(Node start) {
        List<RecursiveAction> forked = new ArrayList<>();
        Node node = start;
        while (node != null && !stop()) {
            node = step(node, forked);
        }
        if (node != null && roundOver && !timedOut && witness.get() == null) {
            pending.add(node); // explored in the next round
        }
        for (int k = forked.size() - 1; k >= 0; k--) {
            forked.get(k).join();
        }
    }

    /**
     * One subdomain: the half to explore next in this thread, or null when this branch is finished (also when the
     * deadline passed, which every bound pass checks between units of work).
     */
    private Node step(Node node, List<RecursiveAction> forked) {
        try {
            return bounded(node, forked);
        } catch (Deadline.Expired e) {
            timedOut = true;
            return null;
        }
    }

    private Node bounded(Node node, List<RecursiveAction> forked) {
        deadline.check();
        if (roundOver || nodes.get() >= MIN_ROUND_NODES && System.nanoTime() - roundEnd > 0) {
            roundOver = true;
            return node; // kept for the next round (see explore)
        }
        long n = nodes.incrementAndGet();
        if (Boxes.infeasible(inputCons, node.lo(), node.hi())) {
            return null;
        }
        LinearBounds b = node.self() != null ? node.self()
                : LinearBounds.forward(net, node.lo(), node.hi(), true, node.parent(), inputCons, deadline);
        Unrefuted u = refute(b, node);
        if (u == null) {
            return null; // a witness was found
        }
        if (u.open() == 0) {
            leaf(node.lo(), node.hi());
            return null;
        }
        if (probe(node, u, n)) {
            return null;
        }
        if (node.depth() >= MAX_DEPTH) {
            debugGiveUp(node, u);
            gaveUp = true;
            return null;
        }
        LinearBounds[] halves = new LinearBounds[2 * node.lo().length];
        double[] hint = new double[node.lo().length];
        Split s = lookahead(b, node, u, halves, hint);
        if (s == Split.BOTH_REFUTED) {
            leaf(node.lo(), node.hi());
            return null;
        }
        if (s == null) {
            s = widestInfluential(node, u.coef(), halves);
        }
        if (s == null) {
            gaveUp = true;
            return null;
        }
        return descend(node, b, u, s, halves, hint, forked);
    }

    /**
     * Bounds every open conjunction on the subdomain, with α-CROWN for those plain CROWN leaves open; null when a
     * bound minimiser turned out to be a counterexample (recorded as the witness).
     */
    private Unrefuted refute(LinearBounds b, Node node) {
        double[] olo = b.lower(net.layers() - 1);
        double[] ohi = b.upper(net.layers() - 1);
        long still = 0;
        double bestLb = Double.NEGATIVE_INFINITY;
        double[] bestCoef = null;
        double[] bestArg = null;
        LinearBounds opt = null;
        java.util.function.Predicate<double[]> check = falsifier.checkingOnce();
        for (int k = 0; k < conj.size(); k++) {
            if ((node.open() & (1L << k)) == 0) {
                continue;
            }
            ConjunctionBound.Outcome out = ConjunctionBound.bound(b, conj.get(k), inputCons, node.lo(), node.hi(),
                    olo, ohi, check);
            if (!out.refuted() && out.witness() == null && ALPHA_STEPS > 0) {
                if (opt == null) {
                    opt = b.optimised(ALPHA_STEPS);
                }
                ConjunctionBound.Outcome plain = out;
                out = ALPHA_COMBINED && plain.objective() != null && inputCons.isEmpty()
                        ? ConjunctionBound.boundObjective(opt, plain.objective(), node.lo(), node.hi(), check)
                        : ConjunctionBound.bound(opt, conj.get(k), inputCons, node.lo(), node.hi(), olo, ohi, check);
                if (!out.refuted() && out.witness() == null && out.score() < plain.score()) {
                    out = plain; // for branching, the better of the two scores
                }
            }
            if (out.witness() != null) {
                witness.compareAndSet(null, out.witness().clone());
                return null;
            }
            if (!out.refuted()) {
                still |= 1L << k;
                if (bestCoef == null || out.score() < bestLb) {
                    bestLb = out.score();
                    bestCoef = out.coef();
                    bestArg = out.arg();
                }
            }
        }
        return new Unrefuted(still, bestLb, bestCoef, bestArg);
    }

    /**
     * Looks for a counterexample in an unrefuted subdomain: its centre, and every 16th subdomain a short attack from
     * its weakest bound's minimiser (the search goes where the bounds are weakest, which is where hard-to-find
     * counterexamples hide). True when one was found.
     */
    private boolean probe(Node node, Unrefuted u, long n) {
        double[] mid = centre(node);
        debugNode(node, u, n, mid);
        if (falsifier.check(mid)) {
            witness.compareAndSet(null, mid);
            return true;
        }
        if ((n & 15) == 0) {
            double[] w = falsifier.descend(u.arg(), node.lo(), node.hi(), 12);
            if (w != null) {
                witness.compareAndSet(null, w);
                return true;
            }
        }
        return false;
    }

    /**
     * Lookahead: bounds both halves of every input (forward bounds intersected with this subdomain's, with backward
     * passes for the neurons left unstable) and keeps the split whose worse half is best, if it
     * gains {@link #LOOKAHEAD_GAIN} of the current bound; a half refuted already is taken at once. Each half is also
     * intersected with the parent lookahead's half along the same input, which contains it ({@code sides}). The
     * halves' bounds ({@code halves}) and scores ({@code hint}) are handed down: the chosen (or fallback) split's as
     * its children's own bounds, all as their sides and hints. Null when no split gains enough.
     */
    private Split lookahead(LinearBounds b, Node node, Unrefuted u, LinearBounds[] halves, double[] hint) {
        double[] lo = node.lo();
        double[] hi = node.hi();
        double[] mid = centre(node);
        long still = u.open();
        double base = progress(b, lo, hi, still);
        double bestScore = base + 1e-6 * (1 + Math.abs(base)) + LOOKAHEAD_GAIN * Math.abs(base);
        double bestOther = Double.NEGATIVE_INFINITY;
        Split best = null;
        Arrays.fill(hint, Double.NEGATIVE_INFINITY);
        for (int i : ordered(node, influential(node, u.coef()))) {
            if (!(mid[i] > lo[i] && mid[i] < hi[i]) || hi[i] - lo[i] < 1e-7 * width0[i]) {
                continue;
            }
            double[] h = hi.clone();
            h[i] = mid[i];
            double[] l2 = lo.clone();
            l2[i] = mid[i];
            LinearBounds[] sides = node.sides();
            LinearBounds bl = LinearBounds.forward(net, lo, h, true, b, sides == null ? null : sides[2 * i],
                    inputCons, deadline);
            LinearBounds br = LinearBounds.forward(net, l2, hi, true, b, sides == null ? null : sides[2 * i + 1],
                    inputCons, deadline);
            if (DEBUG) {
                halfPasses.addAndGet(2);
            }
            halves[2 * i] = bl;
            halves[2 * i + 1] = br;
            double sl = progress(bl, lo, h, still);
            double sr = progress(br, l2, hi, still);
            hint[i] = Math.max(sl, sr);
            if (sl > 0 && sr > 0) {
                return Split.BOTH_REFUTED;
            }
            if (sl > 0 || sr > 0) {
                return new Split(i, sl > 0 ? -1 : 1, bl, br);
            }
            double sc = Math.min(sl, sr);
            if (sc > bestScore || sc == bestScore && best != null && Math.max(sl, sr) > bestOther) {
                bestScore = sc;
                bestOther = Math.max(sl, sr);
                best = new Split(i, 0, bl, br);
            }
        }
        return best;
    }

    /**
     * The inputs in the order the lookahead tries them: by the better half's score the parent's lookahead found
     * along each (highest first, untried ones last), so that a half refuted outright, which ends the lookahead, comes
     * early; in input order at the root.
     */
    private static int[] ordered(Node node, int[] inputs) {
        double[] h = node.hint();
        return h == null ? inputs : Arrays.stream(inputs).boxed().sorted((a, c) -> Double.compare(h[c], h[a]))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * The inputs a lookahead tries: all of them in low dimension, else the {@link #LOOKAHEAD_INPUTS} with the
     * largest {@code |coefficient| x width} in the weakest bound, in input order.
     */
    private int[] influential(Node node, double[] coef) {
        int d = coef.length;
        if (d <= LOOKAHEAD_INPUTS) {
            return java.util.stream.IntStream.range(0, d).toArray();
        }
        Integer[] idx = new Integer[d];
        double[] score = new double[d];
        for (int i = 0; i < d; i++) {
            idx[i] = i;
            score[i] = Math.abs(coef[i]) * (node.hi()[i] - node.lo()[i]);
        }
        Arrays.sort(idx, (a, c) -> Double.compare(score[c], score[a]));
        int[] top = new int[LOOKAHEAD_INPUTS];
        for (int k = 0; k < top.length; k++) {
            top[k] = idx[k];
        }
        Arrays.sort(top);
        return top;
    }

    /**
     * The input with the largest {@code |coefficient| x width} in the weakest bound, with its halves' bounds when
     * the lookahead computed them, or null when none splits.
     */
    private Split widestInfluential(Node node, double[] coef, LinearBounds[] halves) {
        double[] mid = centre(node);
        int split = -1;
        double score = -1;
        for (int i = 0; i < mid.length; i++) {
            double width = node.hi()[i] - node.lo()[i];
            if (!(mid[i] > node.lo()[i] && mid[i] < node.hi()[i])) {
                continue; // cannot split further in this dimension
            }
            double s = Math.abs(coef[i]) * width + 1e-12 * width;
            if (s > score) {
                score = s;
                split = i;
            }
        }
        return split < 0 ? null : new Split(split, 0, halves[2 * split], halves[2 * split + 1]);
    }

    /**
     * Splits the subdomain: a refuted half is counted as a leaf and the other is explored next; otherwise the half
     * holding the bound's minimiser (where a counterexample is most likely) is explored next in this thread and
     * the other is forked for an idle worker.
     */
    private Node descend(Node node, LinearBounds b, Unrefuted u, Split s, LinearBounds[] halves, double[] hint,
                         List<RecursiveAction> forked) {
        int i = s.dim();
        double m = 0.5 * (node.lo()[i] + node.hi()[i]);
        double[] hi2 = node.hi().clone();
        hi2[i] = m;
        double[] lo2 = node.lo().clone();
        lo2[i] = m;
        LinearBounds[] sides = new LinearBounds[halves.length]; // what the children's lookaheads read of them
        for (int k = 0; k < sides.length; k++) {
            sides[k] = halves[k] == null ? null : halves[k].coverOnly();
        }
        Node low = new Node(node.lo(), hi2, node.depth() + 1, u.open(), b, s.low(), sides, hint);
        Node high = new Node(lo2, node.hi(), node.depth() + 1, u.open(), b, s.high(), sides, hint);
        if (s.refutedHalf() != 0) {
            Node refuted = s.refutedHalf() < 0 ? low : high;
            leaf(refuted.lo(), refuted.hi());
            nodes.incrementAndGet();
            return s.refutedHalf() < 0 ? high : low;
        }
        boolean lowFirst = u.arg()[i] <= m;
        RecursiveAction other = task(lowFirst ? high : low);
        other.fork();
        forked.add(other);
        return lowFirst ? low : high;
    }

    /**
     * How close the bounds come to refuting every open conjunction: the minimum over them of their
     * {@link ConjunctionBound} scores; positive when all are refuted.
     */
    double progress(LinearBounds b, double[] lo, double[] hi, long open) {
        double worst = Double.POSITIVE_INFINITY;
        double[] olo = b.lower(net.layers() - 1);
        double[] ohi = b.upper(net.layers() - 1);
        for (int k = 0; k < conj.size(); k++) {
            if ((open & (1L << k)) == 0) {
                continue;
            }
            worst = Math.min(worst, ConjunctionBound.bound(b, conj.get(k), inputCons, lo, hi, olo, ohi, x -> false)
                    .score());
        }
        return worst;
    }

    private static double[] centre(Node node) {
        double[] mid = new double[node.lo().length];
        for (int i = 0; i < mid.length; i++) {
            mid[i] = 0.5 * (node.lo()[i] + node.hi()[i]);
        }
        return mid;
    }

    /** Records a refuted subdomain. */
    private void leaf(double[] lo, double[] hi) {
        leaves.incrementAndGet();
        if (DEBUG) {
            double v = 1;
            for (int i = 0; i < lo.length; i++) {
                v *= width0[i] > 0 ? (hi[i] - lo[i]) / width0[i] : 1;
            }
            refutedVolume.add(v);
        }
    }

    private void debugNode(Node node, Unrefuted u, long n, double[] mid) {
        if (DEBUG && (n % 2000) == 0) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < mid.length; i++) {
                sb.append(String.format(" %.3g@%.4g", (node.hi()[i] - node.lo()[i]) / width0[i], mid[i]));
            }
            System.err.printf("[bab] node %d depth %d score %.4g widths%s y %s%n", n, node.depth(), u.score(), sb,
                    Arrays.toString(net.evaluate(mid)));
        }
    }

    private void debugGiveUp(Node node, Unrefuted u) {
        if (DEBUG && !gaveUp) {
            System.err.printf("[bab] gave up at depth %d: lo %s hi %s score %g y %s%n", node.depth(),
                    Arrays.toString(node.lo()), Arrays.toString(node.hi()), u.score(),
                    Arrays.toString(net.evaluate(centre(node))));
        }
    }
}
