package dev.engram.verify.graph;

import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.List;

/**
 * Branch and bound on ReLU splits for one conjunction of the unsafe set over one box (for high-dimensional inputs,
 * where splitting the box does not pay), in the β-CROWN style (Wang et al., NeurIPS 2021). A subdomain is a set of
 * splits ({@link GraphBounds.Split}) with its ranges: its parent's, with the split element's range clamped at 0
 * ({@link GraphBounds#withSplit}; the parent's ranges hold on any part of its region). Its bound is optimised by
 * {@link BetaCrown} (slopes α and split multipliers β, warm-started from the parent's). The conjunction is refuted on a
 * subdomain when some constraint's bound is above its threshold; otherwise the unstable ReLU element with the largest
 * BaBSR score {@code |a|·(−l·u/(u−l))} (its coefficient in the bound times the chord's intercept; Bunel et al., JMLR
 * 2020) is split. The subdomains with the lowest bound are bounded first, by a pool of worker threads, each taking
 * a few at a time into one batch ({@link BetaCrown#optimiseAll}; each bound is the one it gets alone). Sound: the
 * subdomains of every split cover the box, and every bound is valid on its subdomain.
 *
 * <p>An open subdomain holds what it changes, not a copy of the graph: the two children of a split share their
 * parent's refined ranges (whose unchanged values {@link GraphBounds#refine} shares in turn with the grandparent's),
 * each clamps its split when it is bounded, and each keeps the warm-start slopes of the elements unstable on those
 * ranges only ({@link BetaCrown.Params#sparse}; a stable element's relaxation does not read its slope, so the bound
 * is the same as from the dense slopes). The queue counts these bytes against a quarter of the heap
 * ({@link DomainQueue}); a search that outgrows it ends open, a sound verdict.
 */
final class ReluSplitSearch {
    /** The outcome: refuted everywhere, a witness, or open (nothing left to split, or out of time). */
    record Outcome(boolean refuted, double[] witness) {
    }

    /** Optimisation steps per subdomain (warm-started) and at the root. */
    private static final int STEPS = Integer.getInteger("engram.verify.splitSteps", 8);
    private static final int ROOT_STEPS = Integer.getInteger("engram.verify.rootSteps", 40);
    /** Optimisation steps of a feasibility bound ({@link #infeasibleOrNext}; no warm start). */
    private static final int FEASIBILITY_STEPS = Integer.getInteger("engram.verify.feasibilitySteps", 16);
    private static final boolean DEBUG = Boolean.getBoolean("engram.verify.debug");
    /**
     * Whether a subdomain's ranges after its newest split are recomputed ({@link GraphBounds#refine}): "true",
     * "false", or by default "auto": the first {@link #REFINE_TRIAL} subdomains are refined, and the rest only when at
     * least a quarter of those had some ReLU element after the split value made stable by it (or were dropped as
     * empty). On eran's net refining decides idx 186 (505 subdomains; open after 3,353 without); on oval21 it cost a
     * fifth to a third of each subdomain and the searches went further without it (docs/verifier.md, 2026-11-27).
     */
    private static final String REFINE = System.getProperty("engram.verify.splitRefine", "auto");
    private static final int REFINE_TRIAL = 64;
    /** At most this many subdomains are bounded (for measurements that must not depend on the machine's load). */
    private static final int LIMIT = Integer.getInteger("engram.verify.splitLimit", Integer.MAX_VALUE);
    /**
     * Subdomains a worker bounds in one batch ({@link BetaCrown#optimiseAll}: one backward pass per step for all of
     * them, each operator's map read once): the open ones with the lowest margins. 1 where the graph has S-curves.
     */
    private static final int BATCH = Integer.getInteger("engram.verify.splitBatch", 4);
    /** Whether a child starts from its parent's best iterate (else the last). */
    private static final boolean WARM_BEST = Boolean.getBoolean("engram.verify.splitWarmBest");

    /**
     * One open subdomain: its splits, the ranges it starts from (its parent's, refined, held as what differs from
     * the grandparent's and shared with its sibling; the newest split is clamped when it is bounded), its warm start (sparse: the slopes of the
     * elements unstable on those ranges), the bound margin it inherited and the bytes it holds.
     */
    private record Domain(List<GraphBounds.Split> splits, RangesDelta parent, BetaCrown.Params start,
                          double margin, long bytes) implements DomainQueue.Entry {
    }

    private final SplitProblem p;
    private final DomainQueue<Domain> queue = new DomainQueue<>(DomainQueue.heapShare());
    private int busy;
    private int nodes;
    private int deepest;
    private long rangeBytes;
    /** Subdomains refined so far, and those where it made a ReLU element stable ({@link #refines}). */
    private int refined;
    private int paid;
    /** CPU time of the workers (ns), for the debug output. */
    private long cpu;
    private boolean open;
    private double[] witness;
    /** Splits made per value (debug output). */
    private final java.util.Map<Integer, Integer> splitsAt = new java.util.TreeMap<>();

    private final int batch;
    private final int threads;

    private ReluSplitSearch(SplitProblem p, int threads) {
        this.p = p;
        this.threads = threads;
        this.batch = p.g().ops().stream().anyMatch(o -> o instanceof SCurveBound) ? 1 : Math.max(1, BATCH);
    }

    /** Branch and bound from the box's {@code ranges}, with {@code threads} workers. */
    static Outcome run(SplitProblem p, GraphBounds.Ranges ranges, int threads) {
        ReluSplitSearch s = new ReluSplitSearch(p, threads);
        if (DEBUG) {
            System.err.printf("[relu-split] unstable ReLU arguments at the root: %s%n", s.unstableByValue(ranges));
        }
        s.queue.add(new Domain(List.of(), RangesDelta.root(ranges), null, Double.NEGATIVE_INFINITY, 0));
        long t0 = System.nanoTime();
        List<Thread> pool = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            Thread th = new Thread(s::work, "relu-split-" + t);
            th.setDaemon(true);
            th.start();
            pool.add(th);
        }
        s.work();
        for (Thread th : pool) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, null);
            }
        }
        synchronized (s) {
            if (s.witness != null) {
                return new Outcome(false, s.witness);
            }
            boolean refuted = !s.open && s.queue.isEmpty() && s.busy == 0 && !p.deadline().passed();
            if (DEBUG) {
                double secs = (System.nanoTime() - t0) / 1e9;
                System.err.printf("[relu-split] %s after %d subdomains in %.1f s (%.1f ms each; CPU %.1f ms each),"
                                + " depth up to %d; %d queued (lowest margin %.5g) holding %.1f MB (range deltas made:"
                                + " %.1f MB)%n", refuted ? "refuted" : "open", s.nodes, secs,
                        1e3 * secs / Math.max(1, s.nodes), s.cpu / 1e6 / Math.max(1, s.nodes), s.deepest,
                        s.queue.size(), s.queue.lowest(), s.queue.bytes() / 1e6, s.rangeBytes / 1e6);
                System.err.printf("[relu-split] refine made a ReLU element stable in %d of the first %d refined; %s%n",
                        s.paid, s.refined, s.refines() ? "refining" : "not refining");
                System.err.printf("[relu-split] splits per value: %s%n", s.splitsAt);
            }
            p.deadline().check();
            return new Outcome(refuted, null);
        }
    }

    /** A worker: takes the worst open subdomain, bounds it, queues its children; stops when done or out of time. */
    private void work() {
        long c0 = CPU.getCurrentThreadCpuTime();
        try {
            serve();
        } finally {
            long used = CPU.getCurrentThreadCpuTime() - c0;
            synchronized (this) {
                cpu += used;
            }
        }
    }

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** The worker loop ({@link #work} measures its CPU time). */
    private void serve() {
        while (true) {
            List<Domain> ds = new ArrayList<>();
            synchronized (this) {
                while (queue.isEmpty() && busy > 0 && !finished()) {
                    try {
                        wait(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (queue.isEmpty() || finished()) {
                    notifyAll();
                    return;
                }
                int take = Math.min(batch, (queue.size() + threads - 1) / threads); // the others get theirs
                do {
                    ds.add(queue.poll());
                } while (ds.size() < take && !queue.isEmpty() && !ds.get(0).splits.isEmpty());
                busy++;
            }
            List<List<Domain>> children = null;
            try {
                children = bound(ds);
            } catch (Deadline.Expired e) {
                children = null;
            }
            synchronized (this) {
                busy--;
                if (children == null || children.contains(null)) {
                    open = true;
                } else {
                    children.forEach(c -> c.forEach(queue::add));
                    if (queue.full()) {
                        open = true; // the queue's share of the heap is used up: the box stays open
                        if (DEBUG) {
                            System.err.printf("[relu-split] %d open subdomains (%.1f MB) fill the queue's heap"
                                    + " share%n", queue.size(), queue.bytes() / 1e6);
                        }
                    }
                }
                notifyAll();
            }
        }
    }

    private boolean finished() {
        return open || witness != null || nodes >= LIMIT || p.deadline().passed();
    }

    /**
     * Bounds subdomains {@code ds} (the root alone, with more steps; the others in one batch): per subdomain no
     * children when refuted, two when split, null when it cannot be split (open).
     */
    private List<List<Domain>> bound(List<Domain> ds) {
        GraphBounds g = p.g();
        Deadline deadline = p.deadline();
        List<List<Domain>> out = new ArrayList<>();
        List<BetaCrown.Domain> batch = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (Domain d : ds) {
            GraphBounds.Ranges ranges = d.splits.isEmpty() ? d.parent.ranges()
                    : g.withSplit(d.parent.ranges(), d.splits.get(d.splits.size() - 1));
            if (ranges != null && !d.splits.isEmpty() && refines()) {
                ranges = refine(ranges, d.splits, deadline);
            }
            out.add(List.of()); // no execution meets the splits, unless bounded below
            if (ranges != null) {
                at.add(out.size() - 1);
                batch.add(new BetaCrown.Domain(ranges, d.splits, d.start));
            }
        }
        if (batch.isEmpty()) {
            return out;
        }
        int steps = ds.get(0).splits.isEmpty() ? ROOT_STEPS : STEPS;
        List<BetaCrown.Result> res = BetaCrown.optimiseAll(g, batch, p.rows(), p.stop(), steps, deadline);
        for (int k = 0; k < batch.size(); k++) {
            out.set(at.get(k), next(ds.get(at.get(k)), batch.get(k).ranges(), res.get(k)));
        }
        return out;
    }

    /**
     * After subdomain d's bound {@code res} on {@code ranges}: no children when refuted, two when split, null when it
     * cannot be split (open) or a witness was found.
     */
    private List<Domain> next(Domain d, GraphBounds.Ranges ranges, BetaCrown.Result res) {
        GraphBounds g = p.g();
        Deadline deadline = p.deadline();
        GraphBounds.Ranges from = d.parent.ranges();
        GraphBounds.Linear lin = res.linear();
        int bj = p.closest(lin);
        double best = p.margin(lin, bj);
        int n;
        synchronized (this) {
            n = ++nodes;
            deepest = Math.max(deepest, d.splits.size());
        }
        if (DEBUG && (n & (n - 1)) == 0) {
            System.err.printf("[relu-split] subdomain %d depth %d margin %.5g (parent %.5g) split on %s%n", n,
                    d.splits.size(), best, d.margin, d.splits.isEmpty() ? "-" : d.splits.get(d.splits.size() - 1));
        }
        if (best > 0) {
            return List.of();
        }
        double[] w = p.witnessNear(lin, bj, ranges.values()[0]);
        if (w != null) {
            synchronized (this) {
                witness = w;
            }
            return null;
        }
        GraphBounds.Split next = SmartBranching.choose(g, ranges, d.splits, p.rows(), res, bj, deadline);
        if (next == null && !d.splits.isEmpty()) {
            Next f = infeasibleOrNext(g, ranges, d.splits, FEASIBILITY_STEPS, deadline);
            if (f.refuted()) {
                return List.of();
            }
            next = f.split();
        }
        if (next == null) {
            if (DEBUG) {
                System.err.printf("[relu-split] nothing to split at depth %d, margin %.5g%n", d.splits.size(), best);
            }
            return null;
        }
        return children(d, from, ranges, res, next, best);
    }

    /** Whether to refine a subdomain's ranges ({@link #REFINE}). */
    private synchronized boolean refines() {
        if (!REFINE.equals("auto")) {
            return Boolean.parseBoolean(REFINE);
        }
        return refined < REFINE_TRIAL || 4 * paid >= REFINE_TRIAL;
    }

    /** {@code ranges} refined after the newest split, counting whether it made a ReLU element stable. */
    private GraphBounds.Ranges refine(GraphBounds.Ranges ranges, List<GraphBounds.Split> splits, Deadline deadline) {
        int u = splits.get(splits.size() - 1).value();
        GraphBounds.Ranges out = p.g().refine(ranges, splits, u, deadline);
        boolean stabler = out == null || unstableAfter(ranges, u) > unstableAfter(out, u);
        synchronized (this) {
            if (refined < REFINE_TRIAL) {
                refined++;
                paid += stabler ? 1 : 0;
            }
        }
        return out;
    }

    /** "value: unstable of size" for each ReLU argument (debug output). */
    private String unstableByValue(GraphBounds.Ranges ranges) {
        StringBuilder b = new StringBuilder();
        GraphBounds g = p.g();
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound) {
                Range z = ranges.values()[g.dag().nodes().get(k).arg(0)];
                int n = 0;
                for (int i = 0; i < z.size(); i++) {
                    n += z.lo()[i] < 0 && z.hi()[i] > 0 ? 1 : 0;
                }
                b.append(String.format("%d: %d of %d; ", g.dag().nodes().get(k).arg(0), n, z.size()));
            }
        }
        return b.toString();
    }

    /** The unstable elements of the ReLU arguments after value u. */
    private int unstableAfter(GraphBounds.Ranges ranges, int u) {
        GraphBounds g = p.g();
        int n = 0;
        for (int k = u; k < g.ops().size(); k++) {
            int a = g.dag().nodes().get(k).arg(0);
            if (g.ops().get(k) instanceof ReluBound && a > u) {
                Range z = ranges.values()[a];
                for (int i = 0; i < z.size(); i++) {
                    n += z.lo()[i] < 0 && z.hi()[i] > 0 ? 1 : 0;
                }
            }
        }
        return n;
    }

    /**
     * The two children of subdomain {@code d} (bounded on {@code ranges}, made from its parent's {@code from}) on
     * split element {@code next}: its ranges as a delta over {@code from}, one sparse warm start for both, each with
     * the margin {@code best} or its parent's, the larger.
     */
    private List<Domain> children(Domain d, GraphBounds.Ranges from, GraphBounds.Ranges ranges,
                                  BetaCrown.Result res, GraphBounds.Split next, double best) {
        RangesDelta delta = RangesDelta.over(d.parent, from, ranges);
        long held = delta.bytes();
        synchronized (this) {
            rangeBytes += held;
            if (DEBUG) {
                splitsAt.merge(next.value(), 1, Integer::sum);
            }
        }
        BetaCrown.Params end = WARM_BEST ? res.best() : res.params();
        BetaCrown.Params slopes = end.sparse(p.g(), ranges); // shared by the two children
        held += slopes.bytes();
        List<Domain> children = new ArrayList<>(2);
        for (boolean active : new boolean[] {true, false}) {
            GraphBounds.Split s = new GraphBounds.Split(next.value(), next.element(), active);
            List<GraphBounds.Split> splits = new ArrayList<>(d.splits);
            splits.add(s);
            BetaCrown.Params start = warm(end, res.unstable(), s, slopes);
            long bytes = held / 2 + 16L * splits.size() * (1 + p.rows().length) + 96;
            // a child's bound is at least its parent's (its region is a part of the parent's)
            children.add(new Domain(List.copyOf(splits), delta, start, Math.max(best, d.margin), bytes));
        }
        return children;
    }

    /** What a feasibility bound found: the splits cannot all hold, or the element to split next (null: none). */
    record Next(boolean refuted, GraphBounds.Split split) {
    }

    /**
     * For a subdomain whose objective met no unstable element (its splits made the bound exact, e.g. a final ReLU
     * split inactive on two outputs that then tie at 0), which can only be refuted by showing that its splits cannot
     * all hold: β-CROWN lower bounds, over the subdomain, of {@code ẑ_j} for each inactive split and {@code −ẑ_j} for
     * each active one on the latest split value (with the earlier values' splits as multipliers). A positive one
     * contradicts its split: no execution is in the subdomain. Otherwise the element to split next is the BaBSR choice
     * of the best of these bounds' passes (elements before that value).
     */
    static Next infeasibleOrNext(GraphBounds g, GraphBounds.Ranges ranges, List<GraphBounds.Split> splits, int steps,
                                 Deadline deadline) {
        int target = 0;
        for (GraphBounds.Split s : splits) {
            target = Math.max(target, s.value());
        }
        List<GraphBounds.Split> before = new ArrayList<>();
        List<GraphBounds.Split> at = new ArrayList<>();
        for (GraphBounds.Split s : splits) {
            (s.value() < target ? before : at).add(s);
        }
        double[][] frows = new double[at.size()][ranges.values()[target].size()];
        for (int j = 0; j < at.size(); j++) {
            frows[j][at.get(j).element()] = at.get(j).active() ? -1 : 1;
        }
        double[] zero = new double[at.size()];
        BetaCrown.Result res = BetaCrown.optimise(g, ranges, target, before, frows, zero, steps, null, deadline);
        int bj = 0;
        for (int j = 1; j < at.size(); j++) {
            if (res.linear().bound()[j] > res.linear().bound()[bj]) {
                bj = j;
            }
        }
        if (res.linear().bound()[bj] > 0) {
            return new Next(true, null);
        }
        return new Next(false, branch(g, ranges, res.unstable(), bj));
    }

    /**
     * The parent's parameters {@code q} (dense; {@code met} the coefficients its last pass met at unstable elements)
     * as the warm start of its child on split {@code s}, with the slopes of {@code slopes} ({@code q}'s made sparse,
     * shared by the siblings) and one more multiplier. The new multiplier reproduces the
     * parent's line where its coefficient {@code a > 0} met the lower line {@code α z}: the child's element is exact
     * ({@code z} active, {@code leak·z} inactive), and {@code β = a(1 − α)} (active) or {@code a(α − leak)} (inactive)
     * turns {@code a·ReLU(z) ∓ β z} back into {@code a α z}, so the child starts at least where its parent ended
     * instead of losing the line; where {@code a < 0} the exact element already beats the chord, β = 0. Its Adam
     * step scale is {@code |a|} (1 when the split came from a feasibility bound, where {@code a} is 0).
     */
    private BetaCrown.Params warm(BetaCrown.Params q, double[][][] met, GraphBounds.Split s,
                                  BetaCrown.Params slopes) {
        int k = q.beta()[0].length;
        double[][] beta = new double[q.beta().length][];
        double[][] scale = new double[q.beta().length][];
        int relu = reluOf(s.value());
        double leak = ((ReluBound) p.g().ops().get(relu - 1)).leak();
        for (int r = 0; r < beta.length; r++) {
            beta[r] = java.util.Arrays.copyOf(q.beta()[r], k + 1);
            scale[r] = java.util.Arrays.copyOf(q.scale()[r], k + 1);
            double a = met[relu][r][s.element()];
            scale[r][k] = a != 0 ? Math.abs(a) : 1;
            if (a > 0 && q.alpha()[relu] != null) {
                double al = q.slope(relu, r, s.element());
                beta[r][k] = Math.max(0, s.active() ? a * (1 - al) : a * (al - leak));
            }
        }
        return new BetaCrown.Params(slopes.alpha(), beta, scale, slopes.index());
    }

    /** The ReLU value whose argument is value u. */
    private int reluOf(int u) {
        GraphBounds g = p.g();
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound && g.dag().nodes().get(k).arg(0) == u) {
                return 1 + k;
            }
        }
        throw new IllegalStateException("no ReLU on value " + u);
    }

    /** The unstable ReLU element with the largest BaBSR score in row r's last pass, or null. */
    private static GraphBounds.Split branch(GraphBounds g, GraphBounds.Ranges ranges, double[][][] met, int r) {
        return SmartBranching.babsr(g, ranges, met, r);
    }
}
