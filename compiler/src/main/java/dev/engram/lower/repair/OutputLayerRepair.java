package dev.engram.lower.repair;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * Architecture-preserving repair of {@code over REGION ensure not UNSAFE}: only the output layer
 * {@code y = W h + b} changes (same shapes, no new units), by a minimal-L1 {@code (ΔW, Δb)} found by linear
 * programming, and the result is accepted as proved only when the unchanged {@link BranchAndBoundVerifier} says
 * unsat on the repaired network (translation validation).
 *
 * <p>Properties to keep (they held before, they must hold after) are constraints of the same LP. The stages:
 * {@link Goals} simplifies every unsafe set; {@link FidelitySamples} draws the inputs whose decisions are kept;
 * {@link SubdomainSearch} partitions the regions and bounds the original network on each subdomain;
 * {@link RepairProgram} is the LP that refutes the rules' unsafe sets on every subdomain with a clearance and keeps
 * the kept properties; {@link Refinement} splits the subdomains whose rows bind and re-solves; when the LP has no
 * solution, {@link Recovery} tries other choices and finer bounds for the kept properties the rules conflict with
 * ({@link Conflicts} names them when nothing helps); {@link PartitionValidation} runs
 * the verifier. A verifier failure raises the clearance and refines further. See {@code docs/repair.md}.
 */
public final class OutputLayerRepair {
    private OutputLayerRepair() {
    }

    /** One repaired parameter tensor: how many of its {@code size} entries changed. */
    public record ParameterChange(String layer, String tensor, int changed, int size) {
    }

    /**
     * What the verifier said on the repaired network about one goal (a rule, or a property kept), and the property
     * it said it on: the goal itself, or the same property with its region written as the repair's partition (the
     * same set of inputs, so anyone can re-check the proof with one verifier call). {@code violatedBefore}: a kept
     * property the original network already violates at the counterexample found (the repair never promised it).
     */
    public record Validation(Property property, Verdict verdict, boolean violatedBefore) {
        /** True when the goal holds on the repaired network, or is a kept property that did not hold before. */
        public boolean ok() {
            return verdict instanceof Verdict.Unsat || violatedBefore;
        }
    }

    /**
     * A kept property ({@code kept}, its index among the kept) that the rules ({@code rules}, their indices)
     * conflict with: no change of the output layer the repair could find keeps it, and {@code reason} says what
     * is known about why; {@code impossible} when no network at all satisfies both where their regions meet.
     */
    public record Conflict(int kept, List<Integer> rules, String reason, boolean impossible) {
        public Conflict {
            rules = List.copyOf(rules);
        }
    }

    /**
     * The repaired network (same shapes as the input), the final verdict of the verifier on it (the first goal's
     * failing verdict, or the last goal's unsat), the number of LP+verify iterations, subdomains of the last LP,
     * the changed tensors and the L1/L∞ norms of the change; {@code validations} per goal (the rules, then the
     * kept properties) as far as the verifier got; {@code conflicts} the kept properties the rules conflict with
     * (then nothing was validated); {@code message} explains a failure.
     */
    public record Result(DenseNetwork network, Verdict verdict, int iterations, int subdomains,
                         List<ParameterChange> changes, double l1, double linf, List<Validation> validations,
                         List<Conflict> conflicts, String message) {
        public Result {
            changes = List.copyOf(changes);
            validations = List.copyOf(validations);
            conflicts = List.copyOf(conflicts);
        }

        /** Per goal validated, the property the verifier was last run on. */
        public List<Property> validated() {
            return validations.stream().map(Validation::property).toList();
        }

        /** True when some goal was validated on its partitioned region. */
        public boolean partitioned() {
            return validated().stream().anyMatch(p -> p.region().boxes().size() > 1);
        }

        /**
         * True when the verifier proved every rule on the repaired network, and every kept property but those the
         * original already violated.
         */
        public boolean proved() {
            return conflicts.isEmpty() && verdict instanceof Verdict.Unsat
                    && validations.stream().allMatch(Validation::ok);
        }
    }

    /** Repairs {@code net} so that {@code rule} holds, changing only the last layer's weights and biases. */
    public static Result repair(DenseNetwork net, Property rule, RepairOptions options) {
        return repair(net, List.of(rule), List.of(), options);
    }

    /** Repairs {@code net} so that every one of {@code rules} holds, keeping nothing else in particular. */
    public static Result repair(DenseNetwork net, List<Property> rules, RepairOptions options) {
        return repair(net, rules, List.of(), options);
    }

    /**
     * Repairs {@code net} so that every one of {@code rules} holds (one joint LP, so no repair undoes another) and
     * every property of {@code kept} that held before still holds; the result is proved when the verifier says
     * unsat for each. When the rules conflict with kept properties, the result names them ({@code conflicts}) and
     * is the network unchanged. A rule or kept property that does not fit the network (output count, an empty
     * unsafe conjunction) or a network whose output layer is not affine is an {@link IllegalArgumentException}.
     */
    public static Result repair(DenseNetwork net, List<Property> rules, List<Property> kept, RepairOptions options) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("nothing to repair: no rules");
        }
        List<Property> all = new ArrayList<>(rules);
        all.addAll(kept);
        RepairTarget target = RepairTarget.of(net, all);
        long[] t = DebugTrace.start();
        Goals goals = Goals.of(rules, kept);
        DebugTrace.end(t, "unsafe sets: %s conjunctions, simplified %s", conjunctions(all),
                goals.unsafe().stream().map(List::size).toList());
        t = DebugTrace.start();
        FidelitySamples fs = FidelitySamples.draw(target, goals.rules(), options);
        DebugTrace.end(t, "samples: %d kept of %d, output scale %.4g", fs.samples().size(), fs.drawn(), fs.outScale());
        SubdomainSearch search = new SubdomainSearch(target, goals, options, fs.outScale());
        t = DebugTrace.start();
        List<Subdomain> partition = search.partition();
        DebugTrace.end(t, "partition: %d subdomains", partition.size());
        return validateAndRefine(target, goals, fs, search, options, partition);
    }

    private static List<Integer> conjunctions(List<Property> ps) {
        return ps.stream().map(p -> p.unsafe().size()).toList();
    }

    /**
     * Solve, validate every goal, and on a failure split the subdomains holding a counterexample and raise the
     * clearance ×4, up to {@code maxIterations} times.
     */
    private static Result validateAndRefine(RepairTarget target, Goals given, FidelitySamples fs,
                                            SubdomainSearch search, RepairOptions opt, List<Subdomain> partition) {
        Goals goals = given;
        double clearance = opt.clearance();
        Verdict verdict = new Verdict.Unknown("not attempted", 0);
        DenseNetwork best = target.net();
        List<Validation> validations = new ArrayList<>();
        List<Subdomain> subs = partition;
        int it = 0;
        Recovery recovery = new Recovery(target, fs, search, opt);
        String message = "";
        while (it < opt.maxIterations()) {
            opt.deadline().check();
            it++;
            long[] t = DebugTrace.start();
            Refinement.Solved sol = Refinement.solve(target, fs, goals, search, opt, subs, clearance);
            DebugTrace.end(t, "LP and refinement");
            if (sol == null) {
                Recovery.Next next = recovery.next(goals, subs, clearance);
                if (next.partition() != null) {
                    goals = next.goals();
                    subs = next.partition();
                    it--;
                    continue;
                }
                message = next.conflicts().isEmpty() ? "the LP found no repair of the last layer"
                        : "the rules conflict with properties to keep";
                return summarise(target, target.net(), new Verdict.Unknown(message, 0), it, subs.size(), List.of(),
                        next.conflicts(), message);
            }
            subs = sol.partition();
            best = opt.written().apply(target.apply(sol.delta())); // validated as written, when asked
            int failed = -1;
            double[] at = null;
            validations.clear();
            t = DebugTrace.start();
            for (int g = 0; g < goals.size() && failed < 0; g++) {
                Checked c = validate(target, best, goals, g, subs, opt);
                Validation v = c.validation();
                validations.add(v);
                if (!v.ok()) {
                    failed = g;
                    verdict = v.verdict();
                    at = c.at();
                } else if (!goals.isKept(g)) {
                    verdict = v.verdict();
                }
            }
            DebugTrace.end(t, "validation");
            if (failed < 0) {
                message = "proved";
                break;
            }
            message = "verifier on " + goals.get(failed).name() + ": " + verdict.word();
            DebugTrace.log("iteration %d: %s", it, message);
            if (at != null) {
                subs = splitAt(search, subs, failed, at);
            }
            clearance *= 4;
        }
        return summarise(target, best, verdict, it, subs.size(), validations, List.of(), message);
    }

    /** A goal's validation, and for a counterexample its point in the network's input space (else null). */
    private record Checked(Validation validation, double[] at) {
    }

    /**
     * Validates goal {@code g} on {@code repaired}: by {@link RepairOptions#validation()} when given, else by the
     * verifier on the network over the goal's region, where a counterexample to a kept property at which the original
     * network is unsafe too shows the property did not hold before.
     */
    private static Checked validate(RepairTarget target, DenseNetwork repaired, Goals goals, int g,
                                    List<Subdomain> subs, RepairOptions opt) {
        if (opt.validation() != null) {
            GoalValidation.Outcome o = opt.validation().validate(repaired, goals.get(g),
                    opt.within(6 * opt.verifyTimeout()));
            DebugTrace.log("%s on the whole model: %s in %.2f s", goals.get(g).name(), o.verdict().word(),
                    o.verdict().seconds());
            return new Checked(new Validation(o.property(), o.verdict(), goals.isKept(g) && o.violatedBefore()),
                    o.verdict() instanceof Verdict.Sat ? o.at() : null);
        }
        PartitionValidation.Validated v = PartitionValidation.validate(repaired, goals.validated(g), g, subs, opt);
        boolean before = false;
        if (goals.isKept(g) && v.verdict() instanceof Verdict.Sat sat) {
            float[] x = new float[sat.input().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) sat.input()[i];
            }
            float[] y = target.net().evaluate(x);
            double[] yd = new double[y.length];
            for (int j = 0; j < y.length; j++) {
                yd[j] = y[j];
            }
            before = goals.get(g).isUnsafe(yd, 0);
        }
        return new Checked(new Validation(v.property(), v.verdict(), before),
                v.verdict() instanceof Verdict.Sat sat ? sat.input() : null);
    }

    /** The partition with every subdomain of goal {@code g} that holds {@code x} split. */
    private static List<Subdomain> splitAt(SubdomainSearch search, List<Subdomain> subs, int g, double[] x) {
        List<Subdomain> next = new ArrayList<>();
        for (Subdomain s : subs) {
            if (s.goal() == g && s.contains(x)) {
                next.addAll(search.split(s));
            } else {
                next.add(s);
            }
        }
        return next;
    }

    private static Result summarise(RepairTarget target, DenseNetwork repaired, Verdict verdict, int it, int subs,
                                    List<Validation> validations, List<Conflict> conflicts, String message) {
        DenseLayer a = target.output();
        DenseLayer b = repaired.layers().get(repaired.layers().size() - 1);
        int m = target.outputs();
        int n = target.hiddenUnits();
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
        return new Result(repaired, verdict, it, subs, ch, l1, linf, validations, conflicts, message);
    }
}
