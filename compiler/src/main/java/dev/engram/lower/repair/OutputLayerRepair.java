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
 * <p>The stages: {@link FidelitySamples} draws the inputs whose decisions are kept; {@link SubdomainSearch}
 * partitions the region and bounds the original network on each subdomain; {@link RepairProgram} is the LP that
 * refutes the unsafe set on every subdomain with a clearance; {@link Refinement} splits the subdomains whose rows
 * bind and re-solves; {@link PartitionValidation} runs the verifier. A verifier failure raises the clearance and
 * refines further. See {@code docs/repair.md}.
 */
public final class OutputLayerRepair {
    private OutputLayerRepair() {
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
     * rule's failing verdict, or the last rule's unsat. A rule that does not fit the network (output count, an
     * empty unsafe conjunction) or a network whose output layer is not affine is an
     * {@link IllegalArgumentException}.
     */
    public static Result repair(DenseNetwork net, List<Property> rules, RepairOptions options) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("nothing to repair: no rules");
        }
        List<Property> rs = List.copyOf(rules);
        RepairTarget target = RepairTarget.of(net, rs);
        long[] t = DebugTrace.start();
        FidelitySamples fs = FidelitySamples.draw(target, rs, options);
        DebugTrace.end(t, "samples: %d kept of %d", fs.samples().size(), options.samples());
        SubdomainSearch search = new SubdomainSearch(target, rs, options, fs.outScale());
        t = DebugTrace.start();
        List<Subdomain> partition = search.partition();
        DebugTrace.end(t, "partition: %d subdomains", partition.size());
        return validateAndRefine(target, rs, fs, search, options, partition);
    }

    /**
     * Solve, validate every rule, and on a failure split the subdomains holding a counterexample and raise the
     * clearance ×4, up to {@code maxIterations} times.
     */
    private static Result validateAndRefine(RepairTarget target, List<Property> rules, FidelitySamples fs,
                                            SubdomainSearch search, RepairOptions opt, List<Subdomain> partition) {
        double clearance = opt.clearance();
        Verdict verdict = new Verdict.Unknown("not attempted", 0);
        DenseNetwork best = target.net();
        List<Property> validated = new ArrayList<>();
        List<Subdomain> subs = partition;
        int it = 0;
        String message = "";
        while (it < opt.maxIterations()) {
            opt.deadline().check();
            it++;
            long[] t = DebugTrace.start();
            Refinement.Solved sol = Refinement.solve(target, fs, search, opt, subs, clearance);
            DebugTrace.end(t, "LP and refinement");
            if (sol == null) {
                message = "the LP found no repair of the last layer";
                break;
            }
            subs = sol.partition();
            best = target.apply(sol.delta());
            int failed = -1;
            validated.clear();
            t = DebugTrace.start();
            for (int ri = 0; ri < rules.size() && failed < 0; ri++) {
                PartitionValidation.Validated v = PartitionValidation.validate(best, rules.get(ri), ri, subs, opt);
                validated.add(v.property());
                verdict = v.verdict();
                if (!(verdict instanceof Verdict.Unsat)) {
                    failed = ri;
                }
            }
            DebugTrace.end(t, "validation");
            if (failed < 0) {
                message = "proved";
                break;
            }
            message = "verifier: " + verdict.word();
            DebugTrace.log("iteration %d: %s", it, message);
            if (verdict instanceof Verdict.Sat sat) {
                subs = splitAt(search, subs, failed, sat.input());
            }
            clearance *= 4;
        }
        return summarise(target, best, verdict, it, subs.size(), validated, message);
    }

    /** The partition with every subdomain of rule {@code ri} that holds {@code x} split. */
    private static List<Subdomain> splitAt(SubdomainSearch search, List<Subdomain> subs, int ri, double[] x) {
        List<Subdomain> next = new ArrayList<>();
        for (Subdomain s : subs) {
            if (s.rule() == ri && s.contains(x)) {
                next.addAll(search.split(s));
            } else {
                next.add(s);
            }
        }
        return next;
    }

    private static Result summarise(RepairTarget target, DenseNetwork repaired, Verdict verdict, int it, int subs,
                                    List<Property> validated, String message) {
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
        return new Result(repaired, verdict, it, subs, ch, l1, linf, validated, message);
    }
}
