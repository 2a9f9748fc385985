package dev.engram.lower.repair;

import dev.engram.lower.repair.Subdomain.Refutation;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The subdomain search: the original network's bounds on a box of a goal's region ({@link #analyse}), bisection
 * along the input that most improves them ({@link #split}), and the initial partition of every region box
 * ({@link #partition}), loosest bounds first. A kept property's boxes get a smaller budget: they are split only
 * where the original's bounds do not refute it with room, and where they do not, the program keeps it without
 * bounds (see {@link RepairProgram}).
 */
final class SubdomainSearch {
    /** Subdomains whose bounds are looser than this share of the output scale are split first. */
    static final double LOOSE_TOL = 0.02;
    /** Past the initial budget, subdomains looser than this share of the output scale are still split. */
    static final double VERY_LOOSE = 1.0;
    /** Inputs tried when choosing where to split a subdomain. */
    static final int TRIED_SPLITS = 5;
    /** A kept property's box gets this fraction of a rule's box's initial budget. */
    static final int KEPT_SHARE = 8;
    /** No subdomain is bisected more often than this. */
    static final int DEPTH_LIMIT = 60;

    private final RepairTarget target;
    private final Goals goals;
    private final RepairOptions opt;
    private final double outScale;

    SubdomainSearch(RepairTarget target, Goals goals, RepairOptions opt, double outScale) {
        this.target = target;
        this.goals = goals;
        this.opt = opt;
        this.outScale = outScale;
    }

    /**
     * The original network's bounds on the box {@code [lo, hi]} of goal {@code gi}: CROWN bounds of the last
     * hidden activations widened by the rounding allowance, and per unsafe conjunction the constraint whose
     * lower bound comes closest to refuting it. {@code parent}: bounds on a box containing this one (or null),
     * which the new bounds are intersected with.
     */
    Subdomain analyse(int gi, double[] lo, double[] hi, int depth, LinearBounds parent) {
        return analyse(gi, lo, hi, depth, parent, true);
    }

    /** As {@link #analyse(int, double[], double[], int, LinearBounds)}; without {@code crown}, forward bounds only. */
    private Subdomain analyse(int gi, double[] lo, double[] hi, int depth, LinearBounds parent, boolean crown) {
        LinearBounds lb = LinearBounds.forward(target.bounds(), lo, hi, crown, parent);
        int last = lb.layers() - 1;
        double[][] hidden = hiddenBounds(lb, last, lo, hi);
        double[] olo = lb.lower(last);
        double[] ohi = lb.upper(last);
        int d = lo.length;
        double[] mid = new double[d];
        for (int i = 0; i < d; i++) {
            mid[i] = 0.5 * (lo[i] + hi[i]);
        }
        double[] ymid = target.bounds().evaluate(mid);
        List<List<LinearConstraint>> unsafe = goals.unsafe(gi);
        Refutation[] chosen = new Refutation[unsafe.size()];
        double loose = 0;
        double worst = Double.POSITIVE_INFINITY;
        double[] influence = null;
        double[] coef = new double[d];
        double[] arg = new double[d];
        for (int k = 0; k < unsafe.size(); k++) {
            Refutation best = null;
            double bestEst = 0;
            double[] bestCoef = null;
            for (LinearConstraint c : unsafe.get(k)) {
                double[] a = c.coefficients();
                double v = lb.lowerBound(a, coef, arg) - c.bound();
                double est = Math.min(dot(a, ymid), dot(a, target.bounds().evaluate(arg))) - c.bound();
                double scale = scale(c, olo, ohi);
                if (best == null || v > best.lowerGap()) {
                    best = new Refutation(c, v, scale);
                    bestEst = est;
                    bestCoef = coef.clone();
                }
            }
            chosen[k] = best;
            loose += Math.max(0, bestEst - best.lowerGap());
            if (best.lowerGap() < worst) {
                worst = best.lowerGap();
                influence = new double[d];
                for (int i = 0; i < d; i++) {
                    influence[i] = Math.abs(bestCoef[i]) * (hi[i] - lo[i]) + 1e-12 * (hi[i] - lo[i]);
                }
            }
        }
        if (influence == null) { // nothing to refute: split along the widest input
            influence = new double[d];
            for (int i = 0; i < d; i++) {
                influence[i] = hi[i] - lo[i];
            }
        }
        return new Subdomain(gi, lo.clone(), hi.clone(), depth, hidden[0], hidden[1], chosen, loose, influence, lb,
                null);
    }

    /** The size {@code |bound| + Σ |a_j| max |y_j|} of constraint {@code c} when {@code y ∈ [olo, ohi]}. */
    private static double scale(LinearConstraint c, double[] olo, double[] ohi) {
        double[] a = c.coefficients();
        double scale = Math.abs(c.bound());
        for (int j = 0; j < a.length; j++) {
            scale += Math.abs(a[j]) * Math.max(Math.abs(olo[j]), Math.abs(ohi[j]));
        }
        return scale;
    }

    /**
     * The refutation of constraint {@code c} on {@code s} by the original network's bounds there (any constraint of
     * one of its goal's conjunctions, not only the one {@link #analyse} chose); null when {@code s} has no bounds.
     */
    Refutation refutation(Subdomain s, LinearConstraint c) {
        LinearBounds lb = s.bounds();
        if (lb == null) {
            return null;
        }
        int last = lb.layers() - 1;
        int d = s.lo().length;
        double v = lb.lowerBound(c.coefficients(), new double[d], new double[d]) - c.bound();
        return new Refutation(c, v, scale(c, lb.lower(last), lb.upper(last)));
    }

    /** Bounds {@code {lo, hi}} of the last hidden activations (the inputs without hidden layer), rounding included. */
    private double[][] hiddenBounds(LinearBounds lb, int last, double[] lo, double[] hi) {
        double[] hl;
        double[] hu;
        if (target.hiddenAct() == null) {
            hl = lo.clone();
            hu = hi.clone();
        } else {
            double[] zl = lb.lower(last - 1);
            double[] zu = lb.upper(last - 1);
            int n = target.hiddenUnits();
            hl = new double[n];
            hu = new double[n];
            for (int i = 0; i < n; i++) {
                hl[i] = target.hiddenAct().apply(zl[i], target.hiddenAlpha());
                hu[i] = target.hiddenAct().apply(zu[i], target.hiddenAlpha());
            }
        }
        for (int i = 0; i < hl.length; i++) {
            double e = Bounds.roundingAllowance(Math.max(Math.abs(hl[i]), Math.abs(hu[i])));
            hl[i] -= e;
            hu[i] += e;
        }
        return new double[][] {hl, hu};
    }

    /**
     * Splits {@code s} in two at the midpoint of one input: the input whose split most improves the worse
     * child's bottleneck (the smallest lower gap over the conjunctions; up to {@link #TRIED_SPLITS} inputs
     * ranked by influence on the bound are tried, each with forward bounds only (no backward passes); the
     * chosen split is then bounded with CROWN). Children inherit the parent's bounds where those are
     * tighter (a bound valid on the parent is valid on its parts). Returns {@code [s]} when it cannot be split.
     */
    List<Subdomain> split(Subdomain s) {
        int d = s.lo().length;
        if (s.depth() >= DEPTH_LIMIT) {
            return List.of(s);
        }
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> -(s.influence() == null
                ? s.hi()[i] - s.lo()[i] : s.influence()[i])));
        List<Integer> dims = new ArrayList<>();
        for (int k = 0; k < d && dims.size() < TRIED_SPLITS; k++) {
            int i = order[k];
            double mid = 0.5 * (s.lo()[i] + s.hi()[i]);
            if (mid > s.lo()[i] && mid < s.hi()[i]) {
                dims.add(i);
            }
        }
        // the candidate splits are bounded in parallel, and compared in order (the same choice on any machine);
        // where there is a choice, they are ranked by forward bounds and only the chosen one is bounded with CROWN
        boolean cheap = dims.size() > 1;
        List<List<Subdomain>> candidates = dims.parallelStream().map(i -> halves(s, i, !cheap)).toList();
        List<Subdomain> best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < candidates.size(); k++) {
            int i = dims.get(k);
            Subdomain a = candidates.get(k).get(0);
            Subdomain b = candidates.get(k).get(1);
            double score = Math.min(0, a.bottleneck()) + Math.min(0, b.bottleneck())
                    - 1e-3 * (a.looseness() + b.looseness()) + 1e-9 * (s.hi()[i] - s.lo()[i]);
            if (best == null || score > bestScore) {
                bestScore = score;
                best = List.of(a, b);
            }
        }
        if (best == null) {
            return List.of(s);
        }
        if (!cheap) {
            return best;
        }
        int chosen = dims.get(candidates.indexOf(best));
        return halves(s, chosen, true);
    }

    /**
     * The two halves of {@code s} split at the midpoint of input {@code i}, as its children, bounded in parallel: with
     * CROWN, or ({@code crown} false, to rank candidate splits) with forward bounds only.
     */
    private List<Subdomain> halves(Subdomain s, int i, boolean crown) {
        double mid = 0.5 * (s.lo()[i] + s.hi()[i]);
        double[] hi1 = s.hi().clone();
        hi1[i] = mid;
        double[] lo2 = s.lo().clone();
        lo2[i] = mid;
        return java.util.stream.Stream.of(new double[][] {s.lo(), hi1}, new double[][] {lo2, s.hi()}).parallel()
                .map(b -> analyse(s.goal(), b[0], b[1], s.depth() + 1, s.bounds(), crown).within(s)).toList();
    }

    /**
     * Initial partition: repeatedly split the subdomain whose bounds are loosest among those where the
     * original network does not already refute the goal with clearance, until the budget is reached.
     */
    List<Subdomain> partition() {
        List<Subdomain> done = new ArrayList<>();
        PriorityQueue<Subdomain> queue = new PriorityQueue<>(Comparator.comparingDouble(s -> -s.looseness()));
        int budget = 0;
        for (int gi = 0; gi < goals.size(); gi++) {
            for (Box b : goals.get(gi).region().boxes()) {
                queue.add(analyse(gi, b.lo(), b.hi(), 0, null));
                budget += goals.isKept(gi) ? Math.max(1, opt.initialSubdomains() / KEPT_SHARE)
                        : opt.initialSubdomains();
            }
        }
        double tol = LOOSE_TOL * outScale;
        int cap = Math.max(budget, opt.maxSubdomains() / 2);
        while (!queue.isEmpty() && queue.size() + done.size() < cap) {
            opt.deadline().check();
            Subdomain s = queue.poll();
            // past the budget, only bounds looser than the output scale itself are still refined
            if (s.looseness() <= (queue.size() + done.size() < budget ? tol : VERY_LOOSE * outScale)) {
                done.add(s);
                done.addAll(queue);
                queue.clear();
                break;
            }
            if (!s.needy(opt.clearance(), outScale)) {
                done.add(s);
                continue;
            }
            List<Subdomain> kids = split(s);
            if (kids.size() == 1) {
                done.add(s);
            } else {
                queue.addAll(kids);
            }
        }
        done.addAll(queue);
        return done;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
