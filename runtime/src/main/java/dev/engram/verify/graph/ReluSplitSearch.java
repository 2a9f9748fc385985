package dev.engram.verify.graph;

import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Branch and bound on ReLU splits for one conjunction of the unsafe set over one box (for high-dimensional inputs,
 * where splitting the box does not pay), in the β-CROWN style (Wang et al., NeurIPS 2021). A subdomain is a set of
 * splits ({@link GraphBounds.Split}) with its ranges: its parent's, with the split element's range clamped at 0
 * ({@link GraphBounds#withSplit}; the parent's ranges hold on any part of its region). Its bound is optimised by
 * {@link BetaCrown} (slopes α and split multipliers β, warm-started from the parent's). The conjunction is refuted on a
 * subdomain when some constraint's bound is above its threshold; otherwise the unstable ReLU element with the largest
 * BaBSR score {@code |a|·(−l·u/(u−l))} (its coefficient in the bound times the chord's intercept; Bunel et al., JMLR
 * 2020) is split. The subdomains with the lowest bound are bounded first, by a pool of worker threads. Sound: the
 * subdomains of every split cover the box, and every bound is valid on its subdomain.
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
    /** Whether a subdomain's ranges after its newest split are recomputed ({@link GraphBounds#refine}). */
    private static final boolean REFINE = !Boolean.getBoolean("engram.verify.noRefine");

    /**
     * One open subdomain: its splits, ranges (its parent's with the newest split clamped, not yet refined), warm
     * start and the bound margin it inherited.
     */
    private record Domain(List<GraphBounds.Split> splits, GraphBounds.Ranges ranges, BetaCrown.Params start,
                          double margin) {
    }

    private final GraphBounds g;
    private final GraphAttack attack;
    private final Box box;
    private final double[][] rows;
    private final double[] stop;
    private final Deadline deadline;
    private final int capacity;
    private final PriorityQueue<Domain> queue = new PriorityQueue<>((a, b) -> Double.compare(a.margin, b.margin));
    private int busy;
    private int nodes;
    private boolean open;
    private double[] witness;

    private ReluSplitSearch(GraphBounds g, GraphAttack attack, Box box, double[][] rows, double[] stop,
                            Deadline deadline, int capacity) {
        this.capacity = capacity;
        this.g = g;
        this.attack = attack;
        this.box = box;
        this.rows = rows;
        this.stop = stop;
        this.deadline = deadline;
    }

    /** Branch and bound from the box's {@code ranges}, with {@code threads} workers. */
    static Outcome run(GraphBounds g, GraphAttack attack, Box box, GraphBounds.Ranges ranges, double[][] rows,
                       double[] stop, int threads, Deadline deadline) {
        ReluSplitSearch s = new ReluSplitSearch(g, attack, box, rows, stop, deadline, capacity(ranges, rows.length));
        s.queue.add(new Domain(List.of(), ranges, null, Double.NEGATIVE_INFINITY));
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
            deadline.check();
            boolean refuted = !s.open && s.queue.isEmpty() && s.busy == 0;
            if (DEBUG) {
                System.err.printf("[relu-split] %s after %d subdomains%n", refuted ? "refuted" : "open", s.nodes);
            }
            return new Outcome(refuted, null);
        }
    }

    /** A worker: takes the worst open subdomain, bounds it, queues its children; stops when done or out of time. */
    private void work() {
        while (true) {
            Domain d;
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
                d = queue.poll();
                busy++;
            }
            List<Domain> children = null;
            boolean stuck = false;
            try {
                children = bound(d);
                stuck = children == null;
            } catch (Deadline.Expired e) {
                stuck = true;
            }
            synchronized (this) {
                busy--;
                if (stuck) {
                    open = true;
                } else {
                    queue.addAll(children);
                    if (queue.size() > capacity) {
                        open = true; // the queue's share of the heap is used up: the box stays open
                        if (DEBUG) {
                            System.err.printf("[relu-split] %d open subdomains fill the queue's heap share%n",
                                    queue.size());
                        }
                    }
                }
                notifyAll();
            }
        }
    }

    /**
     * How many open subdomains fit in a quarter of the JVM's maximum heap, each counted at the size of the whole
     * graph's ranges (bounds and error terms) and one slope per row and element: a subdomain's refined ranges and
     * warm start are at most that. A search that outgrows it ends open (a sound verdict) instead of failing for
     * memory.
     */
    static int capacity(GraphBounds.Ranges ranges, int rows) {
        long elements = 0;
        for (Range r : ranges.values()) {
            elements += r.size();
        }
        long bytes = Math.max(1, elements * (24L + 8L * rows));
        return (int) Math.max(64, Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 4 / bytes));
    }

    private boolean finished() {
        return open || witness != null || deadline.passed();
    }

    /** Bounds one subdomain: no children when refuted, two when split, null when it cannot be split (open). */
    private List<Domain> bound(Domain d) {
        int steps = d.splits.isEmpty() ? ROOT_STEPS : STEPS;
        GraphBounds.Ranges ranges = d.ranges;
        if (REFINE && !d.splits.isEmpty()) {
            ranges = g.refine(ranges, d.splits, d.splits.get(d.splits.size() - 1).value(), deadline);
            if (ranges == null) {
                return List.of(); // no execution meets the splits
            }
        }
        BetaCrown.Result res = BetaCrown.optimise(g, ranges, d.splits, rows, stop, steps, d.start, deadline);
        GraphBounds.Linear lin = res.linear();
        int bj = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < rows.length; j++) {
            double m = lin.bound()[j] - stop[j];
            if (m > best) {
                best = m;
                bj = j;
            }
        }
        int n;
        synchronized (this) {
            n = ++nodes;
        }
        if (DEBUG && (n & (n - 1)) == 0) {
            System.err.printf("[relu-split] subdomain %d depth %d margin %.5g (parent %.5g) split on %s%n", n,
                    d.splits.size(), best, d.margin, d.splits.isEmpty() ? "-" : d.splits.get(d.splits.size() - 1));
        }
        if (best > 0) {
            return List.of();
        }
        double[] x = BetaCrown.minimiser(lin.coef()[bj], ranges.values()[0]);
        double[] w;
        synchronized (attack) {
            w = attack.search(box, 0, 0, 0, List.of(x), deadline);
        }
        if (w != null) {
            synchronized (this) {
                witness = w;
            }
            return null;
        }
        GraphBounds.Split next = SmartBranching.choose(g, ranges, d.splits, rows, res, bj, deadline);
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
        List<Domain> children = new ArrayList<>(2);
        for (boolean active : new boolean[] {true, false}) {
            GraphBounds.Split s = new GraphBounds.Split(next.value(), next.element(), active);
            GraphBounds.Ranges r = g.withSplit(ranges, s);
            if (r == null) {
                continue; // no execution meets this split
            }
            List<GraphBounds.Split> splits = new ArrayList<>(d.splits);
            splits.add(s);
            // a child's bound is at least its parent's (its region is a part of the parent's)
            children.add(new Domain(List.copyOf(splits), r, warm(res, s), Math.max(best, d.margin)));
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
     * The parent's parameters as the warm start of its child on split {@code s}. The new multiplier reproduces the
     * parent's line where its coefficient {@code a > 0} met the lower line {@code α z}: the child's element is exact
     * ({@code z} active, {@code leak·z} inactive), and {@code β = a(1 − α)} (active) or {@code a(α − leak)} (inactive)
     * turns {@code a·ReLU(z) ∓ β z} back into {@code a α z}, so the child starts at least where its parent ended
     * instead of losing the line; where {@code a < 0} the exact element already beats the chord, β = 0. Its Adam
     * step scale is {@code |a|} (1 when the split came from a feasibility bound, where {@code a} is 0).
     */
    private BetaCrown.Params warm(BetaCrown.Result res, GraphBounds.Split s) {
        BetaCrown.Params p = res.params();
        int k = p.beta()[0].length;
        double[][] beta = new double[p.beta().length][];
        double[][] scale = new double[p.beta().length][];
        int relu = reluOf(s.value());
        double leak = ((ReluBound) g.ops().get(relu - 1)).leak();
        for (int r = 0; r < beta.length; r++) {
            beta[r] = java.util.Arrays.copyOf(p.beta()[r], k + 1);
            scale[r] = java.util.Arrays.copyOf(p.scale()[r], k + 1);
            double a = res.unstable()[relu][r][s.element()];
            scale[r][k] = a != 0 ? Math.abs(a) : 1;
            double[][] alpha = p.alpha()[relu];
            if (a > 0 && alpha != null) {
                double al = alpha[Math.min(r, alpha.length - 1)][s.element()];
                beta[r][k] = Math.max(0, s.active() ? a * (1 - al) : a * (al - leak));
            }
        }
        return new BetaCrown.Params(p.alpha(), beta, scale);
    }

    /** The ReLU value whose argument is value u. */
    private int reluOf(int u) {
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
