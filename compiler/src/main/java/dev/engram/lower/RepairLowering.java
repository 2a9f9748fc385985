package dev.engram.lower;

import dev.engram.lower.repair.LinearProgram;
import dev.engram.lower.repair.RepairOptions;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Architecture-preserving repair of {@code over REGION ensure not UNSAFE}: only the output layer
 * {@code y = W h + b} changes (same shapes, no new units), by a minimal-L1 {@code (ΔW, Δb)} found by linear
 * programming, and the result is accepted as proved only when the unchanged {@link BranchAndBoundVerifier} says
 * unsat on the repaired network (translation validation).
 *
 * <p>The region is partitioned into subdomains. On each, sound bounds of the original network give a lower bound
 * {@code LB} of {@code a · y} (CROWN) and an interval {@code [l, u]} of the last hidden activations {@code h}.
 * Since {@code a · y' = a · y + a · (ΔW h + Δb)} and, writing {@code ΔW = P - N} with {@code P, N >= 0},
 * {@code min_h a·ΔW h >= Σ_j Σ_i (a_j P_ji [a_j>0 ? l_i : u_i] - a_j N_ji [a_j>0 ? u_i : l_i])}, the row
 * <pre>  LB + Σ_j Σ_i (…) + a · Δb >= bound + margin</pre>
 * is linear in the parameters and makes the constraint {@code a · y <= bound} impossible on the subdomain; one
 * such constraint is chosen per unsafe conjunction and subdomain (the one the original's bounds come closest
 * to refuting). Decisions on sampled inputs outside the violation are preserved by soft rows (penalised slack).
 * Subdomains whose rows bind are split (along the input whose split most improves the bounds) and the LP
 * re-solved; a verifier failure raises the margin and refines further. See {@code docs/repair.md}.
 */
public final class RepairLowering {
    /** Subdomains whose bounds are looser than this share of the output scale are split first. */
    static final double LOOSE_TOL = 0.02;
    /** Past the initial budget, subdomains looser than this share of the output scale are still split. */
    static final double VERY_LOOSE = 1.0;
    /** Rows within this share of their bound count as binding when choosing subdomains to refine. */
    static final double NEAR = 0.1;
    /** A sample's decision is kept by this share of the output scale (at most half its original lead). */
    static final double KEEP = 0.02;
    /** Samples whose decision leads by less than this share of the output scale get their LP row up front. */
    static final double EAGER = 0.1;
    /** Inputs tried when choosing where to split a subdomain. */
    static final int TRIED_SPLITS = 5;
    private static final boolean DEBUG = Boolean.getBoolean("engram.repair.debug");

    private RepairLowering() {
    }

    /** One repaired parameter tensor: how many of its {@code size} entries changed. */
    public record ParameterChange(String layer, String tensor, int changed, int size) {
    }

    /**
     * The repaired network (same shapes as the input), the final verdict of the verifier on it, the number of
     * LP+verify iterations, subdomains of the last LP, the changed tensors and the L1/L∞ norms of the change;
     * {@code validated} holds, per rule, the property the verifier was last run on: the rule itself, or (when
     * the verifier timed out on it whole) the same rule with its region written as the repair's partition — the
     * same set of inputs, so anyone can re-check the proof with one verifier call; {@code message} explains a
     * failure.
     */
    public record Result(DenseNetwork network, Verdict verdict, int iterations, int subdomains,
                         List<ParameterChange> changes, double l1, double linf, List<Property> validated,
                         String message) {
        public Result {
            changes = List.copyOf(changes);
            validated = List.copyOf(validated);
        }

        /** True when some rule was validated on its partitioned region. */
        public boolean partitioned() {
            return validated.stream().anyMatch(p -> p.region().boxes().size() > 1);
        }

        /** True when the verifier proved the rule on the repaired network. */
        public boolean proved() {
            return verdict instanceof Verdict.Unsat;
        }
    }

    /** Repairs {@code net} so that {@code rule} holds, changing only the last layer's weights and biases. */
    public static Result repair(DenseNetwork net, Property rule, RepairOptions options) {
        return repair(net, List.of(rule), options);
    }

    /**
     * Repairs {@code net} so that every one of {@code rules} holds (one joint LP, so no repair undoes another);
     * the result is proved when the verifier says unsat for each rule. The result's verdict is the first
     * rule's failing verdict, or the last rule's unsat.
     */
    public static Result repair(DenseNetwork net, List<Property> rules, RepairOptions options) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("nothing to repair: no rules");
        }
        return new Repair(net, rules, options).run();
    }

    /** The constraint chosen for one unsafe conjunction on one subdomain. */
    private record Choice(LinearConstraint constraint, double lowerGap, double scale) {
    }

    /**
     * A subdomain of the region with the original network's bounds on it: hidden activation interval, the
     * chosen constraint per conjunction, how loose the bounds are and the split direction scores.
     */
    private record Sub(int rule, double[] lo, double[] hi, int depth, double[] hl, double[] hu, Choice[] choices,
                       double looseness, double[] influence) {
        boolean contains(double[] x) {
            for (int i = 0; i < x.length; i++) {
                if (x[i] < lo[i] || x[i] > hi[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A fidelity sample: hidden activations, original outputs and decision. */
    private record Sample(double[] h, double[] y, int decision) {
    }

    /** An LP solution mapped back: the parameter deltas, objective and the binding subdomains. */
    private record Solved(double[][] dw, double[] db, double objective, List<Sub> binding) {
    }

    private static final class Repair {
        final DenseNetwork net;
        final List<Property> rules;
        final RepairOptions opt;
        final BoundNetwork bn;
        final int depthLimit = 60;
        final DenseLayer outLayer;
        final Activation hiddenAct;
        final double hiddenAlpha;
        final DenseNetwork hiddenNet;
        final int m;
        final int n;
        final List<Sample> samples = new ArrayList<>();
        final double[] hiddenScale;
        double outScale = 1;
        final List<Property> validated = new ArrayList<>();

        Repair(DenseNetwork net, List<Property> rules, RepairOptions opt) {
            this.net = net;
            this.rules = List.copyOf(rules);
            this.opt = opt;
            int layers = net.layers().size();
            outLayer = net.layers().get(layers - 1);
            if (outLayer.activation() != Activation.IDENTITY) {
                throw new IllegalArgumentException("repair needs an affine output layer; " + outLayer.name()
                        + " is " + outLayer.activation());
            }
            bn = BoundNetwork.of(net);
            if (bn.unsupported() != null) {
                throw new IllegalArgumentException(bn.unsupported());
            }
            if (layers >= 2) {
                DenseLayer h = net.layers().get(layers - 2);
                hiddenAct = h.activation();
                hiddenAlpha = h.alpha();
                hiddenNet = new DenseNetwork(net.layers().subList(0, layers - 1));
            } else {
                hiddenAct = null;
                hiddenAlpha = 0;
                hiddenNet = null;
            }
            m = outLayer.outputSize();
            n = outLayer.inputSize();
            for (Property rule : rules) for (List<LinearConstraint> conj : rule.unsafe()) {
                if (conj.isEmpty()) {
                    throw new IllegalArgumentException(rule.name() + ": an empty unsafe conjunction cannot be "
                            + "refuted");
                }
                for (LinearConstraint c : conj) {
                    if (c.coefficients().length != m) {
                        throw new IllegalArgumentException(rule.name() + ": constraint over "
                                + c.coefficients().length + " outputs, the network has " + m);
                    }
                }
            }
            hiddenScale = new double[n];
            drawSamples();
        }

        double[] hidden(float[] x) {
            float[] h = hiddenNet == null ? x : hiddenNet.evaluate(x);
            double[] d = new double[h.length];
            for (int i = 0; i < h.length; i++) {
                d[i] = h[i];
            }
            return d;
        }

        boolean violates(double[] x, double[] y) {
            for (Property rule : rules) {
                if (inRegion(rule, x) && rule.isUnsafe(y, 0)) {
                    return true;
                }
            }
            return false;
        }

        static boolean inRegion(Property rule, double[] x) {
            for (Box b : rule.region().boxes()) {
                boolean in = true;
                for (int i = 0; i < x.length && in; i++) {
                    in = x[i] >= b.lo()[i] && x[i] <= b.hi()[i];
                }
                if (in) {
                    for (LinearConstraint c : rule.region().constraints()) {
                        in &= c.holds(x, 0);
                    }
                }
                if (in) {
                    return true;
                }
            }
            return false;
        }

        int decide(double[] y) {
            int k = 0;
            for (int j = 1; j < y.length; j++) {
                if (opt.decision() == dev.engram.ir.Decision.ARGMIN ? y[j] < y[k] : y[j] > y[k]) {
                    k = j;
                }
            }
            return k;
        }

        void drawSamples() {
            Box dom = opt.domain() != null ? opt.domain() : hull();
            Random rnd = new Random(opt.seed());
            int d = net.inputSize();
            double ys = 0;
            for (int s = 0; s < opt.samples(); s++) {
                float[] xf = new float[d];
                double[] x = new double[d];
                for (int i = 0; i < d; i++) {
                    xf[i] = (float) (dom.lo()[i] + rnd.nextDouble() * (dom.hi()[i] - dom.lo()[i]));
                    x[i] = xf[i];
                }
                double[] h = hidden(xf);
                float[] yf = net.evaluate(xf);
                double[] y = new double[m];
                double mx = 0;
                for (int j = 0; j < m; j++) {
                    y[j] = yf[j];
                    mx = Math.max(mx, Math.abs(y[j]));
                }
                ys += mx;
                for (int i = 0; i < n; i++) {
                    hiddenScale[i] += Math.abs(h[i]);
                }
                if (violates(x, y)) {
                    continue; // must change: no fidelity row
                }
                samples.add(new Sample(h, y, decide(y)));
            }
            if (opt.samples() > 0) {
                outScale = Math.max(1e-6, ys / opt.samples());
                for (int i = 0; i < n; i++) {
                    hiddenScale[i] /= opt.samples();
                }
            }
        }

        Box hull() {
            int d = net.inputSize();
            double[] lo = new double[d];
            double[] hi = new double[d];
            java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
            for (Property rule : rules) for (Box b : rule.region().boxes()) {
                for (int i = 0; i < d; i++) {
                    lo[i] = Math.min(lo[i], b.lo()[i]);
                    hi[i] = Math.max(hi[i], b.hi()[i]);
                }
            }
            return new Box(lo, hi);
        }

        Sub analyse(int ri, double[] lo, double[] hi, int depth) {
            Property rule = rules.get(ri);
            LinearBounds lb = LinearBounds.forward(bn, lo, hi, true);
            int last = lb.layers() - 1;
            double[] hl;
            double[] hu;
            if (hiddenAct == null) {
                hl = lo.clone();
                hu = hi.clone();
            } else {
                double[] zl = lb.lower(last - 1);
                double[] zu = lb.upper(last - 1);
                hl = new double[n];
                hu = new double[n];
                for (int i = 0; i < n; i++) {
                    hl[i] = hiddenAct.apply(zl[i], hiddenAlpha);
                    hu[i] = hiddenAct.apply(zu[i], hiddenAlpha);
                }
            }
            for (int i = 0; i < n; i++) {
                double e = Bounds.margin(Math.max(Math.abs(hl[i]), Math.abs(hu[i])));
                hl[i] -= e;
                hu[i] += e;
            }
            double[] olo = lb.lower(last);
            double[] ohi = lb.upper(last);
            int d = lo.length;
            double[] mid = new double[d];
            for (int i = 0; i < d; i++) {
                mid[i] = 0.5 * (lo[i] + hi[i]);
            }
            double[] ymid = bn.evaluate(mid);
            List<List<LinearConstraint>> unsafe = rule.unsafe();
            Choice[] choices = new Choice[unsafe.size()];
            double loose = 0;
            double worst = Double.POSITIVE_INFINITY;
            double[] influence = null;
            double[] coef = new double[d];
            double[] arg = new double[d];
            for (int k = 0; k < unsafe.size(); k++) {
                Choice best = null;
                double bestEst = 0;
                double[] bestCoef = null;
                for (LinearConstraint c : unsafe.get(k)) {
                    double[] a = c.coefficients();
                    double v = lb.lowerBound(a, coef, arg) - c.bound();
                    double est = Math.min(dot(a, ymid), dot(a, bn.evaluate(arg))) - c.bound();
                    double scale = Math.abs(c.bound());
                    for (int j = 0; j < m; j++) {
                        scale += Math.abs(a[j]) * Math.max(Math.abs(olo[j]), Math.abs(ohi[j]));
                    }
                    if (best == null || v > best.lowerGap()) {
                        best = new Choice(c, v, scale);
                        bestEst = est;
                        bestCoef = coef.clone();
                    }
                }
                choices[k] = best;
                loose += Math.max(0, bestEst - best.lowerGap());
                if (best.lowerGap() < worst) {
                    worst = best.lowerGap();
                    influence = new double[d];
                    for (int i = 0; i < d; i++) {
                        influence[i] = Math.abs(bestCoef[i]) * (hi[i] - lo[i]) + 1e-12 * (hi[i] - lo[i]);
                    }
                }
            }
            return new Sub(ri, lo.clone(), hi.clone(), depth, hl, hu, choices, loose, influence);
        }

        /**
         * Splits {@code s} in two at the midpoint of one input: the input whose split most improves the worse
         * child's bottleneck (the smallest lower gap over the conjunctions; up to {@link #TRIED_SPLITS} inputs
         * ranked by influence on the bound are tried). Children inherit the parent's bounds where those are
         * tighter (a bound valid on the parent is valid on its parts).
         */
        List<Sub> split(Sub s) {
            int d = s.lo().length;
            if (s.depth() >= depthLimit) {
                return List.of(s);
            }
            Integer[] order = new Integer[d];
            for (int i = 0; i < d; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, Comparator.comparingDouble(i -> -(s.influence() == null
                    ? s.hi()[i] - s.lo()[i] : s.influence()[i])));
            List<Sub> best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            int tried = 0;
            for (int k = 0; k < d && tried < TRIED_SPLITS; k++) {
                int i = order[k];
                double mid = 0.5 * (s.lo()[i] + s.hi()[i]);
                if (!(mid > s.lo()[i] && mid < s.hi()[i])) {
                    continue;
                }
                tried++;
                double[] hi1 = s.hi().clone();
                hi1[i] = mid;
                double[] lo2 = s.lo().clone();
                lo2[i] = mid;
                Sub a = inherit(s, analyse(s.rule(), s.lo(), hi1, s.depth() + 1));
                Sub b = inherit(s, analyse(s.rule(), lo2, s.hi(), s.depth() + 1));
                double score = Math.min(0, bottleneck(a)) + Math.min(0, bottleneck(b))
                        - 1e-3 * (a.looseness() + b.looseness()) + 1e-9 * (s.hi()[i] - s.lo()[i]);
                if (best == null || score > bestScore) {
                    bestScore = score;
                    best = List.of(a, b);
                }
            }
            return best == null ? List.of(s) : best;
        }

        static double bottleneck(Sub s) {
            double w = Double.POSITIVE_INFINITY;
            for (Choice c : s.choices()) {
                w = Math.min(w, c.lowerGap());
            }
            return w;
        }

        /** {@code kid} with hidden bounds intersected with the parent's and its lower gaps no worse. */
        static Sub inherit(Sub parent, Sub kid) {
            double[] hl = kid.hl().clone();
            double[] hu = kid.hu().clone();
            for (int i = 0; i < hl.length; i++) {
                hl[i] = Math.max(hl[i], parent.hl()[i]);
                hu[i] = Math.min(hu[i], parent.hu()[i]);
                if (hl[i] > hu[i]) { // cannot happen for sound bounds beyond rounding
                    double m = 0.5 * (hl[i] + hu[i]);
                    hl[i] = m;
                    hu[i] = m;
                }
            }
            Choice[] ch = kid.choices().clone();
            for (int k = 0; k < ch.length; k++) {
                Choice p = parent.choices()[k];
                if (p.lowerGap() > ch[k].lowerGap()) { // the parent's bound holds on the child too
                    ch[k] = p;
                }
            }
            return new Sub(kid.rule(), kid.lo(), kid.hi(), kid.depth(), hl, hu, ch, kid.looseness(),
                    kid.influence());
        }

        /**
         * Initial partition: repeatedly split the subdomain whose bounds are loosest among those where the
         * original network does not already refute the rule with margin, until the budget is reached.
         */
        List<Sub> partition() {
            List<Sub> done = new ArrayList<>();
            PriorityQueue<Sub> queue = new PriorityQueue<>(Comparator.comparingDouble(s -> -s.looseness()));
            int budget = 0;
            for (int ri = 0; ri < rules.size(); ri++) {
                for (Box b : rules.get(ri).region().boxes()) {
                    queue.add(analyse(ri, b.lo(), b.hi(), 0));
                    budget += opt.initialSubdomains();
                }
            }
            double tol = LOOSE_TOL * outScale;
            int cap = Math.max(budget, opt.maxSubdomains() / 2);
            while (!queue.isEmpty() && queue.size() + done.size() < cap) {
                Sub s = queue.poll();
                // past the budget, only bounds looser than the output scale itself are still refined
                if (s.looseness() <= (queue.size() + done.size() < budget ? tol : VERY_LOOSE * outScale)) {
                    done.add(s);
                    done.addAll(queue);
                    queue.clear();
                    break;
                }
                if (!needy(s, opt.margin())) {
                    done.add(s);
                    continue;
                }
                List<Sub> kids = split(s);
                if (kids.size() == 1) {
                    done.add(s);
                } else {
                    queue.addAll(kids);
                }
            }
            done.addAll(queue);
            return done;
        }

        /** True when some conjunction is not refuted by the original network's bounds with room to spare. */
        boolean needy(Sub s, double margin) {
            for (Choice c : s.choices()) {
                if (c.lowerGap() < 2 * rowMargin(c, margin)) {
                    return true;
                }
            }
            return false;
        }

        double rowMargin(Choice c, double margin) {
            return margin * (outScale + c.scale()) + 2 * Bounds.margin(c.scale());
        }

        Result run() {
            long t0 = System.nanoTime();
            List<Sub> subs = partition();
            if (DEBUG) {
                System.err.printf("[repair] partition: %d subdomains in %.2f s%n", subs.size(), (System.nanoTime() - t0) / 1e9);
            }
            double margin = opt.margin();
            Verdict verdict = new Verdict.Unknown("not attempted", 0);
            DenseNetwork best = net;
            Solved sol = null;
            int it = 0;
            String message = "";
            while (it < opt.maxIterations()) {
                it++;
                sol = solve(subs, margin);
                if (sol == null) {
                    message = "the LP found no repair of the last layer";
                    break;
                }
                subs = new ArrayList<>(subs);
                best = apply(sol);
                int failed = -1;
                validated.clear();
                for (int ri = 0; ri < rules.size() && failed < 0; ri++) {
                    verdict = validate(best, ri, subs);
                    if (!(verdict instanceof Verdict.Unsat)) {
                        failed = ri;
                    }
                }
                if (failed < 0) {
                    message = "proved";
                    break;
                }
                message = "verifier: " + verdict.word();
                if (DEBUG) {
                    System.err.printf("[repair] iteration %d: %s%n", it, message);
                }
                // refine: split the subdomains holding the counterexample (if any) and raise the margin
                if (verdict instanceof Verdict.Sat sat) {
                    List<Sub> next = new ArrayList<>();
                    for (Sub s : subs) {
                        if (s.rule() == failed && s.contains(sat.input())) {
                            next.addAll(split(s));
                        } else {
                            next.add(s);
                        }
                    }
                    subs = next;
                }
                margin *= 4;
            }
            return summarise(best, verdict, it, subs.size(), message);
        }

        /**
         * Translation validation of rule {@code ri} on the repaired network with the unchanged verifier: first on
         * the rule as given; when that runs out of time, on the same rule with its region written as the
         * repair's partition (the leaves of bisecting each region box: the same set of inputs, so unsat means
         * the same), which hands the verifier the subdomains on which the repair was built.
         */
        Verdict validate(DenseNetwork repaired, int ri, List<Sub> subs) {
            Property rule = rules.get(ri);
            Verdict v = BranchAndBoundVerifier.create().verify(repaired, rule,
                    VerifyOptions.defaults().withTimeout(opt.verifyTimeout()));
            if (v instanceof Verdict.Unsat || v instanceof Verdict.Sat) {
                validated.add(rule);
                return v;
            }
            List<Box> leaves = new ArrayList<>();
            for (Sub s : subs) {
                if (s.rule() == ri) {
                    leaves.add(new Box(s.lo(), s.hi()));
                }
            }
            if (!covers(leaves, rule.region().boxes())) {
                validated.add(rule);
                return v;
            }
            if (DEBUG) {
                System.err.printf("[repair] %s: %s on the rule; validating on %d partition boxes%n", rule.name(),
                        v.word(), leaves.size());
            }
            Property split = new Property(rule.name(), new InputRegion(leaves, rule.region().constraints()),
                    rule.unsafe());
            validated.add(split);
            Verdict w = BranchAndBoundVerifier.create().verify(repaired, split,
                    VerifyOptions.defaults().withTimeout(6 * opt.verifyTimeout() + 0.05 * leaves.size()));
            if (DEBUG) {
                System.err.printf("[repair] partition validation: %s in %.2f s%n", w.word(), w.seconds());
            }
            return w;
        }

        /**
         * The cover check: every leaf lies in some region box, and the leaves inside each region box partition it
         * exactly ({@link dev.engram.verify.Boxes#covers}).
         */
        static boolean covers(List<Box> leaves, List<Box> boxes) {
            for (Box l : leaves) {
                if (boxes.stream().noneMatch(b -> dev.engram.verify.Boxes.inside(l, b))) {
                    return false;
                }
            }
            for (Box b : boxes) {
                List<Box> mine = leaves.stream().filter(l -> dev.engram.verify.Boxes.inside(l, b)).toList();
                if (!dev.engram.verify.Boxes.covers(b, mine)) {
                    return false;
                }
            }
            return true;
        }

        Result summarise(DenseNetwork repaired, Verdict verdict, int it, int subs, String message) {
            DenseLayer a = outLayer;
            DenseLayer b = repaired.layers().get(repaired.layers().size() - 1);
            int cw = 0;
            int cb = 0;
            double l1 = 0;
            double linf = 0;
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    double d = (double) b.weight()[j][i] - a.weight()[j][i];
                    if (d != 0) {
                        cw++;
                        l1 += Math.abs(d);
                        linf = Math.max(linf, Math.abs(d));
                    }
                }
                double d = (double) b.bias()[j] - a.bias()[j];
                if (d != 0) {
                    cb++;
                    l1 += Math.abs(d);
                    linf = Math.max(linf, Math.abs(d));
                }
            }
            List<ParameterChange> ch = new ArrayList<>();
            if (cw > 0) {
                ch.add(new ParameterChange(a.name(), "weight", cw, m * n));
            }
            if (cb > 0) {
                ch.add(new ParameterChange(a.name(), "bias", cb, m));
            }
            return new Result(repaired, verdict, it, subs, ch, l1, linf, validated, message);
        }

        DenseNetwork apply(Solved s) {
            float[][] w = new float[m][];
            float[] b = new float[m];
            for (int j = 0; j < m; j++) {
                w[j] = outLayer.weight()[j].clone();
                for (int i = 0; i < n; i++) {
                    if (s.dw()[j][i] != 0) {
                        w[j][i] = (float) (w[j][i] + s.dw()[j][i]);
                    }
                }
                b[j] = s.db()[j] != 0 ? (float) (outLayer.bias()[j] + s.db()[j]) : outLayer.bias()[j];
            }
            List<DenseLayer> layers = new ArrayList<>(net.layers());
            layers.set(layers.size() - 1, new DenseLayer(outLayer.name(), w, b, outLayer.activation(),
                    outLayer.alpha(), outLayer.weightRef(), outLayer.biasRef()));
            return new DenseNetwork(layers);
        }

        // ---- the LP ----

        int p(int j, int i) {
            return j * n + i;
        }

        int q(int j, int i) {
            return m * n + j * n + i;
        }

        int bp(int j) {
            return 2 * m * n + j;
        }

        int bq(int j) {
            return 2 * m * n + m + j;
        }

        /** Solves the LP on {@code subs}, splitting binding subdomains for a few rounds; null when infeasible. */
        Solved solve(List<Sub> subs, double margin) {
            try (LinearProgram lp = LinearProgram.create()) {
                double meanH = 0;
                for (double v : hiddenScale) {
                    meanH += v;
                }
                meanH = Math.max(1e-9, meanH / Math.max(1, n));
                for (int k = 0; k < 2; k++) {
                    for (int j = 0; j < m; j++) {
                        for (int i = 0; i < n; i++) {
                            double cost = opt.samples() > 0 ? 0.5 + 0.5 * hiddenScale[i] / meanH : 1;
                            lp.variable(0, Double.POSITIVE_INFINITY, cost);
                        }
                    }
                }
                for (int k = 0; k < 2 * m; k++) {
                    lp.variable(0, Double.POSITIVE_INFINITY, 1);
                }
                double lambda = opt.fidelityWeight();
                int[] slack = new int[samples.size()];
                for (int s = 0; s < samples.size(); s++) {
                    slack[s] = lp.variable(0, Double.POSITIVE_INFINITY, lambda);
                }
                // sub rows
                List<Sub> live = new ArrayList<>(subs);
                List<int[]> rowsOf = new ArrayList<>();
                List<double[][]> rowData = new ArrayList<>();
                for (Sub s : live) {
                    addSubRows(lp, s, margin, rowsOf, rowData);
                }
                // sample rows: nearest competitor first
                boolean[][] have = new boolean[samples.size()][m];
                for (int s = 0; s < samples.size(); s++) {
                    Sample smp = samples.get(s);
                    int near = -1;
                    for (int j = 0; j < m; j++) {
                        if (j != smp.decision() && (near < 0 || gap(smp.y(), j, smp.decision()) < gap(smp.y(), near,
                                smp.decision()))) {
                            near = j;
                        }
                    }
                    // fragile decisions get their row at once; the others when a solution violates them
                    if (near >= 0 && gap(smp.y(), near, smp.decision()) < EAGER * outScale) {
                        addSampleRow(lp, smp, near, slack[s]);
                        have[s][near] = true;
                    }
                }
                Solved result = null;
                int stale = 0;
                for (int round = 0; ; round++) {
                    LinearProgram.Solution x = null;
                    for (int gen = 0; gen < 6; gen++) {
                        x = lp.solve(opt.lpTimeout());
                        if (!x.found()) {
                            return result;
                        }
                        int added = 0;
                        for (int s = 0; s < samples.size(); s++) {
                            Sample smp = samples.get(s);
                            double[] dy = deltaY(x.values(), smp.h());
                            for (int j = 0; j < m; j++) {
                                if (j == smp.decision() || have[s][j]) {
                                    continue;
                                }
                                double g = gap(smp.y(), j, smp.decision())
                                        + sign() * (dy[j] - dy[smp.decision()]);
                                if (g + x.values()[slack[s]] < gamma(gap(smp.y(), j, smp.decision())) - 1e-9) {
                                    addSampleRow(lp, smp, j, slack[s]);
                                    have[s][j] = true;
                                    added++;
                                }
                            }
                        }
                        if (added == 0) {
                            break;
                        }
                    }
                    double[] v = x.values();
                    double[][] dw = new double[m][n];
                    double[] db = new double[m];
                    for (int j = 0; j < m; j++) {
                        for (int i = 0; i < n; i++) {
                            dw[j][i] = v[p(j, i)] - v[q(j, i)];
                        }
                        db[j] = v[bp(j)] - v[bq(j)];
                    }
                    // binding subdomains
                    List<Sub> binding = new ArrayList<>();
                    for (int r = 0; r < live.size(); r++) {
                        int[] rows = rowsOf.get(r);
                        double[][] data = rowData.get(r);
                        boolean bind = false;
                        for (int c = 0; c < rows.length; c++) {
                            double act = 0;
                            double[] coef = data[c];
                            for (int k = 0; k < coef.length - 1; k++) {
                                act += coef[k] * v[k];
                            }
                            double lo = coef[coef.length - 1];
                            if (act - lo <= Math.max(1e-7 * (1 + Math.abs(lo)), NEAR * Math.abs(lo))) {
                                bind = true;
                            }
                        }
                        if (bind) {
                            binding.add(live.get(r));
                        }
                    }
                    if (result == null || x.objective() < result.objective()) {
                        // a round counts as progress when it gains at least 0.1 %
                        stale = result == null || x.objective() < result.objective() * 0.999 ? 0 : stale + 1;
                        result = new Solved(dw, db, x.objective(), binding);
                    } else {
                        stale++;
                    }
                    if (DEBUG) {
                        double sl = 0;
                        int nz = 0;
                        for (int sv : slack) {
                            sl += v[sv];
                            nz += v[sv] > 1e-9 ? 1 : 0;
                        }
                        System.err.printf("[repair] round %d: %d subdomains, objective %.5f, slack %.5f on %d "
                                + "samples, %d binding%n", round, live.size(), x.objective(), sl, nz, binding.size());
                    }
                    subs.clear();
                    subs.addAll(live);
                    if (round >= opt.refineRounds() || binding.isEmpty() || live.size() >= opt.maxSubdomains()
                            || stale >= 2) {
                        return result;
                    }
                    binding.sort(Comparator.comparingDouble(s -> -(s.looseness() + deltaLooseness(s, dw))));
                    int budget = Math.min(opt.splitsPerRound(), opt.maxSubdomains() - live.size());
                    int splitCount = 0;
                    for (Sub s : binding) {
                        if (splitCount >= budget) {
                            break;
                        }
                        List<Sub> kids = split(s);
                        if (kids.size() < 2) {
                            continue;
                        }
                        int r = live.indexOf(s);
                        for (int row : rowsOf.get(r)) {
                            lp.relax(row);
                        }
                        live.remove(r);
                        rowsOf.remove(r);
                        rowData.remove(r);
                        for (Sub kid : kids) {
                            live.add(kid);
                            addSubRows(lp, kid, margin, rowsOf, rowData);
                        }
                        splitCount++;
                    }
                    if (splitCount == 0) {
                        return result;
                    }
                }
            }
        }

        double deltaLooseness(Sub s, double[][] dw) {
            double t = 0;
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < n; i++) {
                    t += Math.abs(dw[j][i]) * (s.hu()[i] - s.hl()[i]);
                }
            }
            return t;
        }

        double sign() {
            return opt.decision() == dev.engram.ir.Decision.ARGMIN ? 1 : -1;
        }

        /** How far output {@code j} is from displacing the decision {@code k} (>= 0 for the original). */
        double gap(double[] y, int j, int k) {
            return sign() * (y[j] - y[k]);
        }

        double gamma(double gap) {
            return Math.min(KEEP * outScale, 0.5 * gap);
        }

        double[] deltaY(double[] v, double[] h) {
            double[] dy = new double[m];
            for (int j = 0; j < m; j++) {
                double s = v[bp(j)] - v[bq(j)];
                for (int i = 0; i < n; i++) {
                    double d = v[p(j, i)] - v[q(j, i)];
                    if (d != 0) {
                        s += d * h[i];
                    }
                }
                dy[j] = s;
            }
            return dy;
        }

        void addSampleRow(LinearProgram lp, Sample smp, int j, int slackVar) {
            int k = smp.decision();
            double sg = sign();
            int[] idx = new int[4 * n + 5];
            double[] c = new double[4 * n + 5];
            int t = 0;
            for (int i = 0; i < n; i++) {
                double h = smp.h()[i];
                idx[t] = p(j, i);
                c[t++] = sg * h;
                idx[t] = q(j, i);
                c[t++] = -sg * h;
                idx[t] = p(k, i);
                c[t++] = -sg * h;
                idx[t] = q(k, i);
                c[t++] = sg * h;
            }
            idx[t] = bp(j);
            c[t++] = sg;
            idx[t] = bq(j);
            c[t++] = -sg;
            idx[t] = bp(k);
            c[t++] = -sg;
            idx[t] = bq(k);
            c[t++] = sg;
            idx[t] = slackVar;
            c[t] = 1;
            double g = gap(smp.y(), j, k);
            lp.row(gamma(g) - g, Double.POSITIVE_INFINITY, idx, c);
        }

        void addSubRows(LinearProgram lp, Sub s, double margin, List<int[]> rowsOf, List<double[][]> rowData) {
            int nv = 2 * m * n + 2 * m;
            int[] rows = new int[s.choices().length];
            double[][] data = new double[s.choices().length][];
            int[] idx = new int[nv];
            for (int k = 0; k < nv; k++) {
                idx[k] = k;
            }
            for (int k = 0; k < s.choices().length; k++) {
                Choice ch = s.choices()[k];
                double[] a = ch.constraint().coefficients();
                double[] c = new double[nv + 1];
                for (int j = 0; j < m; j++) {
                    double aj = a[j];
                    if (aj == 0) {
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        c[p(j, i)] = aj > 0 ? aj * s.hl()[i] : aj * s.hu()[i];
                        c[q(j, i)] = aj > 0 ? -aj * s.hu()[i] : -aj * s.hl()[i];
                    }
                    c[bp(j)] = aj;
                    c[bq(j)] = -aj;
                }
                double lo = rowMargin(ch, margin) - ch.lowerGap();
                c[nv] = lo;
                rows[k] = lp.row(lo, Double.POSITIVE_INFINITY, idx, java.util.Arrays.copyOf(c, nv));
                data[k] = c;
            }
            rowsOf.add(rows);
            rowData.add(data);
        }

        static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
                s += a[i] * b[i];
            }
            return s;
        }
    }
}
