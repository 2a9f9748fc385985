package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The complete verifier: falsification first ({@link Falsifier}: sampling and projected-gradient attack), then
 * branch and bound over the input box. Each subdomain is bounded with symbolic forward bounds (intersected with
 * its parent's) tightened by backward (CROWN) passes; each conjunction of the unsafe set is refuted through
 * {@link ConjunctionBound} (single constraints or a dual-weighted combination of them) when its bound clears the
 * floating-point margin. Subdomains that are not refuted yield candidate points (centre, bound minimisers, a short
 * attack now and then) and are split along the input chosen by lookahead (cheap bounds of both halves of every
 * input; a half refuted already is dropped). A short first round is followed by a strong attack for the instances
 * it leaves open.
 *
 * <p>Soundness: {@code unsat} only when every subdomain is refuted with margin; {@code sat} only with a witness
 * re-executed in float32 by {@link DenseNetwork#evaluate} that lies in the region and in the unsafe set.
 * Subdomains are explored by a fork/join pool of {@link VerifyOptions#threads()} workers; the verdict does not
 * depend on the schedule (only which witness is reported may).
 */
public final class BranchAndBoundVerifier implements Verifier {
    /** Deepest split before a subdomain is given up as unknown. */
    /**
     * The share of the current bound a lookahead split must gain to be chosen; below it the split falls back to
     * the widest influential input ({@code |coefficient| x width}), so greedy tiny gains do not keep cutting one
     * input while others stay wide.
     */
    static final double LOOKAHEAD_GAIN = Double.parseDouble(System.getProperty("engram.verify.lookaheadGain", "0.05"));

    static final int MAX_DEPTH = 120;
    static final boolean DEBUG = Boolean.getBoolean("engram.verify.debug");
    /** Length of the first branch-and-bound round, after which a strong attack runs before the search resumes. */
    static final long SHORT_ROUND_NANOS = 500_000_000L;
    /** α-CROWN steps on subdomains plain CROWN does not refute (0: off). */
    static final int ALPHA_STEPS = Integer.getInteger("engram.verify.alphaSteps", 10);

    private BranchAndBoundVerifier() {
    }

    public static Verifier create() {
        return new BranchAndBoundVerifier();
    }

    /** Statistics of the last search, for benchmarks. */
    public record Stats(long subdomains, long falsifierSamples) {
    }

    @Override
    public Verdict verify(DenseNetwork network, Property property, VerifyOptions options) {
        long start = System.nanoTime();
        long deadline = start + (long) (options.timeoutSeconds() * 1e9);
        BoundNetwork bn = BoundNetwork.of(network);
        Falsifier falsifier = new Falsifier(network, bn, property, options.seed());
        // 1. falsification on every box
        for (Box box : property.region().boxes()) {
            double[] w = falsifier.search(box, deadline);
            if (w != null) {
                return falsifier.witness(w, seconds(start));
            }
        }
        if (bn.unsupported() != null) {
            return new Verdict.Unknown(bn.unsupported(), seconds(start));
        }
        // 2. branch and bound: a short round, then (for hard instances only) a much larger attack, then the rest
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, options.threads()));
        try {
            List<Box> boxes = property.region().boxes();
            boolean[] done = new boolean[boxes.size()];
            boolean unknown = false;
            for (int round = 0; round < 2; round++) {
                long until = round == 0 ? Math.min(deadline, System.nanoTime() + SHORT_ROUND_NANOS) : deadline;
                boolean timedOut = false;
                for (int bi = 0; bi < boxes.size(); bi++) {
                    if (done[bi]) {
                        continue;
                    }
                    Box box = boxes.get(bi);
                    Search s = new Search(bn, falsifier, property, box, until);
                    pool.invoke(s.task(box.lo().clone(), box.hi().clone(), 0, (1L << s.conj.size()) - 1, null, null));
                    if (DEBUG) {
                        System.err.printf("[bab] %s#%d round %d: %d subdomains, %d leaves refuted (volume %.6f) in %.3f s%n",
                                property.name(), bi, round, s.nodes.get(), s.leaves.get(), s.refutedVolume.sum(),
                                seconds(start));
                    }
                    if (s.witness.get() != null) {
                        return falsifier.witness(s.witness.get(), seconds(start));
                    }
                    if (s.timedOut) {
                        timedOut = true;
                        continue;
                    }
                    done[bi] = true;
                    unknown |= s.gaveUp;
                }
                if (!timedOut) {
                    return unknown ? new Verdict.Unknown("subdomains too small to split further", seconds(start))
                            : new Verdict.Unsat(seconds(start));
                }
                if (round == 0 && System.nanoTime() < deadline) {
                    Falsifier strong = new Falsifier(network, bn, property, options.seed() + 1, 20_000, 300, 80);
                    for (int bi = 0; bi < boxes.size(); bi++) {
                        double[] w = done[bi] ? null : strong.search(boxes.get(bi), deadline);
                        if (w != null) {
                            return strong.witness(w, seconds(start));
                        }
                    }
                }
            }
            return new Verdict.Timeout(seconds(start));
        } finally {
            pool.shutdownNow();
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** The state of one branch-and-bound search over one box. */
    private static final class Search {
        final BoundNetwork net;
        final Falsifier falsifier;
        final List<List<LinearConstraint>> conj;
        final List<LinearConstraint> inputCons;
        final long deadline;
        /** The widths of the searched box. */
        final double[] width0;
        final AtomicReference<double[]> witness = new AtomicReference<>();
        final AtomicLong nodes = new AtomicLong();
        final AtomicLong leaves = new AtomicLong();
        volatile boolean timedOut;
        volatile boolean gaveUp;

        Search(BoundNetwork net, Falsifier falsifier, Property p, Box box, long deadline) {
            this.width0 = new double[box.dimension()];
            for (int i = 0; i < width0.length; i++) {
                width0[i] = box.hi()[i] - box.lo()[i];
            }
            this.net = net;
            this.falsifier = falsifier;
            this.conj = p.unsafe();
            this.inputCons = p.region().constraints();
            this.deadline = deadline;
            if (conj.size() > 62) {
                throw new IllegalArgumentException("at most 62 unsafe conjunctions are supported");
            }
        }

        /** Fraction of the box's volume refuted so far (debug output only). */
        final java.util.concurrent.atomic.DoubleAdder refutedVolume = new java.util.concurrent.atomic.DoubleAdder();

        void volume(double[] lo, double[] hi) {
            if (DEBUG) {
                double v = 1;
                for (int i = 0; i < lo.length; i++) {
                    v *= width0[i] > 0 ? (hi[i] - lo[i]) / width0[i] : 1;
                }
                refutedVolume.add(v);
            }
        }

        boolean stop() {
            return witness.get() != null || timedOut;
        }

        RecursiveAction task(double[] lo, double[] hi, int depth, long open, LinearBounds parent,
                             LinearBounds self) {
            return new RecursiveAction() {
                @Override
                protected void compute() {
                    explore(lo, hi, depth, open, parent, self);
                }
            };
        }

        /**
         * Explores the box {@code [lo, hi]}, whose parent's bounds are {@code parent}; {@code self}, when given, are
         * this box's own bounds already computed by the parent's lookahead (the same computation).
         */
        void explore(double[] lo, double[] hi, int depth, long open, LinearBounds parent, LinearBounds self) {
            while (true) {
                if (stop()) {
                    return;
                }
                long n = nodes.incrementAndGet();
                if ((n & 63) == 0 && System.nanoTime() > deadline) {
                    timedOut = true;
                    return;
                }
                if (inputInfeasible(lo, hi)) {
                    return;
                }
                LinearBounds b = self != null ? self : LinearBounds.forward(net, lo, hi, true, parent, inputCons);
                int d = lo.length;
                double[] bestCoef = null;
                double[] bestArg = null;
                double bestLb = Double.NEGATIVE_INFINITY;
                double[] olo = b.lower(net.layers() - 1);
                double[] ohi = b.upper(net.layers() - 1);
                long still = 0;
                LinearBounds opt = null;
                for (int k = 0; k < conj.size(); k++) {
                    if ((open & (1L << k)) == 0) {
                        continue;
                    }
                    ConjunctionBound.Outcome out = ConjunctionBound.bound(b, conj.get(k), inputCons, lo, hi, olo, ohi,
                            falsifier::check);
                    if (!out.refuted() && out.witness() == null && ALPHA_STEPS > 0) {
                        // α-CROWN: optimised lower slopes for this conjunction's objectives
                        if (opt == null) {
                            opt = b.optimised(ALPHA_STEPS);
                        }
                        out = ConjunctionBound.bound(opt, conj.get(k), inputCons, lo, hi, olo, ohi, falsifier::check);
                    }
                    if (out.witness() != null) {
                        witness.compareAndSet(null, out.witness().clone());
                        return;
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
                if (still == 0) {
                    leaves.incrementAndGet();
                    volume(lo, hi);
                    return;
                }
                double[] mid = new double[d];
                for (int i = 0; i < d; i++) {
                    mid[i] = 0.5 * (lo[i] + hi[i]);
                }
                if (DEBUG && (n % 2000) == 0) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < d; i++) {
                        sb.append(String.format(" %.3g@%.4g", (hi[i] - lo[i]) / width0[i], mid[i]));
                    }
                    System.err.printf("[bab] node %d depth %d score %.4g widths%s y %s%n", n, depth, bestLb, sb,
                            java.util.Arrays.toString(net.evaluate(mid)));
                }
                if (falsifier.check(mid)) {
                    witness.compareAndSet(null, mid);
                    return;
                }
                if ((n & 15) == 0) {
                    // a short attack inside the subdomain, from its bound's minimiser: the search goes where
                    // the bounds are weakest, which is where hard-to-find counterexamples hide
                    double[] w = falsifier.descend(bestArg, lo, hi, 12);
                    if (w != null) {
                        witness.compareAndSet(null, w);
                        return;
                    }
                }
                if (depth >= MAX_DEPTH) {
                    if (DEBUG && !gaveUp) {
                        System.err.printf("[bab] gave up at depth %d: lo %s hi %s score %g y %s%n", depth,
                                java.util.Arrays.toString(lo), java.util.Arrays.toString(hi), bestLb,
                                java.util.Arrays.toString(net.evaluate(mid)));
                    }
                    gaveUp = true;
                    return;
                }
                int split = -1;
                int refutedHalf = 0; // -1: the lower half is refuted, 1: the upper one
                double score = -1;
                LinearBounds lowB = null;
                LinearBounds highB = null;
                {
                    // lookahead: bound both halves of every input (forward bounds intersected with this box's,
                    // backward passes for the neurons left unstable), keep the split whose worse half is best;
                    // the chosen halves' bounds are handed down, so they are not computed twice
                    double base = progress(b, lo, hi, still);
                    double bestScore = base + 1e-6 * (1 + Math.abs(base)) + LOOKAHEAD_GAIN * Math.abs(base);
                    double bestOther = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < d; i++) {
                        if (!(mid[i] > lo[i] && mid[i] < hi[i]) || hi[i] - lo[i] < 1e-7 * width0[i]) {
                            continue;
                        }
                        double[] h = hi.clone();
                        h[i] = mid[i];
                        LinearBounds bl = LinearBounds.forward(net, lo, h, true, b, inputCons);
                        double sl = progress(bl, lo, h, still);
                        // tighter intermediate bounds can loosen the output bound (the adaptive lower slopes
                        // change), so the bounds without backward passes are tried too: both are sound
                        sl = Math.max(sl, progress(LinearBounds.forward(net, lo, h, false, b, inputCons), lo, h, still));
                        double[] l2 = lo.clone();
                        l2[i] = mid[i];
                        LinearBounds br = LinearBounds.forward(net, l2, hi, true, b, inputCons);
                        double sr = progress(br, l2, hi, still);
                        sr = Math.max(sr, progress(LinearBounds.forward(net, l2, hi, false, b, inputCons), l2, hi, still));
                        double sc = Math.min(sl, sr);
                        if (sl > 0 && sr > 0) {
                            leaves.incrementAndGet();
                            volume(lo, hi);
                            return;
                        }
                        if (sl > 0 || sr > 0) {
                            // a half refuted by these bounds already (margin included) is not explored
                            split = i;
                            refutedHalf = sl > 0 ? -1 : 1;
                            lowB = bl;
                            highB = br;
                            break;
                        }
                        if (sc > bestScore || sc == bestScore && split >= 0 && Math.max(sl, sr) > bestOther) {
                            bestScore = sc;
                            bestOther = Math.max(sl, sr);
                            split = i;
                            lowB = bl;
                            highB = br;
                        }
                    }
                }
                boolean chosen = split >= 0;
                for (int i = 0; i < d && !chosen; i++) {
                    double width = hi[i] - lo[i];
                    if (!(mid[i] > lo[i] && mid[i] < hi[i])) {
                        continue; // cannot split further in this dimension
                    }
                    double s = Math.abs(bestCoef[i]) * width + 1e-12 * width;
                    if (s > score) {
                        score = s;
                        split = i;
                    }
                }
                if (split < 0) {
                    gaveUp = true;
                    return;
                }
                double[] hi2 = hi.clone();
                hi2[split] = mid[split];
                double[] lo2 = lo.clone();
                lo2[split] = mid[split];
                // the half holding the bound's minimiser is explored first in this thread (it is where a
                // counterexample is most likely); the other half is forked for an idle worker
                boolean lowFirst = bestArg[split] <= mid[split];
                if (refutedHalf != 0) {
                    leaves.incrementAndGet();
                    volume(refutedHalf < 0 ? lo : lo2, refutedHalf < 0 ? hi2 : hi);
                    nodes.incrementAndGet();
                    if (refutedHalf < 0) {
                        lo = lo2;
                    } else {
                        hi = hi2;
                    }
                    depth++;
                    open = still;
                    parent = b;
                    self = refutedHalf < 0 ? highB : lowB;
                    continue;
                }
                RecursiveAction other = lowFirst ? task(lo2, hi, depth + 1, still, b, highB)
                        : task(lo, hi2, depth + 1, still, b, lowB);
                other.fork();
                if (lowFirst) {
                    explore(lo, hi2, depth + 1, still, b, lowB);
                } else {
                    explore(lo2, hi, depth + 1, still, b, highB);
                }
                other.join();
                return;
            }
        }

        /**
         * How close the bounds come to refuting every open conjunction: min over them of
         * {@code max_c (lb(c·y) - b - margin)}; positive when all are refuted.
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

        /** True when the input constraints cannot hold anywhere in the box. */
        boolean inputInfeasible(double[] lo, double[] hi) {
            for (LinearConstraint c : inputCons) {
                double min = 0;
                for (int i = 0; i < lo.length; i++) {
                    double a = c.coefficients()[i];
                    min += a > 0 ? a * lo[i] : a * hi[i];
                }
                if (min > c.bound() + Bounds.margin(Math.abs(c.bound()))) {
                    return true;
                }
            }
            return false;
        }
    }
}
