package dev.engram.lower.repair;

import java.util.Comparator;
import java.util.List;

/**
 * Refinement rounds of the LP: solve on a partition, split the subdomains whose rows bind (loosest first, at most
 * {@code splitsPerRound} a round) and solve again, until the objective stops improving, no row binds, or the
 * round budget or the subdomain cap is reached.
 */
final class Refinement {

    /**
     * The best solution found: the change, its objective, and the partition of the last LP solved (whose rows
     * the change satisfies when it is that LP's solution, and which refines the partition it was found on).
     */
    record Solved(ParameterDelta delta, double objective, List<Subdomain> partition) {
        Solved {
            partition = List.copyOf(partition);
        }
    }

    private Refinement() {
    }

    /** Solves on {@code partition}, refining it for a few rounds; null when the first LP is infeasible. */
    static Solved solve(RepairTarget target, FidelitySamples fs, Goals goals, SubdomainSearch search,
                        RepairOptions opt, List<Subdomain> partition, double clearance) {
        try (RepairProgram lp = new RepairProgram(target, fs, goals, opt)) {
            for (Subdomain s : partition) {
                lp.add(s, clearance);
            }
            Solved result = null;
            List<Subdomain> solvedOn = partition;
            int stale = 0;
            // a partition the rescues took past the cap may still be refined: by as many subdomains again
            int cap = partition.size() <= opt.maxSubdomains() ? opt.maxSubdomains()
                    : partition.size() + opt.maxSubdomains();
            for (int round = 0; ; round++) {
                LinearProgram.Solution x = lp.solve();
                opt.deadline().check();
                if (!x.found()) {
                    DebugTrace.log("round %d: LP %s", round, x.status());
                    return result == null ? null : new Solved(result.delta(), result.objective(), solvedOn);
                }
                double[] v = x.values();
                ParameterDelta delta = lp.delta(v);
                List<Subdomain> binding = lp.binding(v);
                if (result == null || x.objective() < result.objective()) {
                    // a round counts as progress when it gains at least 0.1 %
                    stale = result == null || x.objective() < result.objective() * 0.999 ? 0 : stale + 1;
                    result = new Solved(delta, x.objective(), List.of());
                } else {
                    stale++;
                }
                solvedOn = lp.subdomains();
                if (DebugTrace.ON) {
                    double[] sl = lp.slackUsed(v);
                    DebugTrace.log("round %d: %d subdomains, objective %.5f, slack %.5f on %d samples, %d binding; %s",
                            round, solvedOn.size(), x.objective(), sl[0], (int) sl[1], binding.size(), lp.stats());
                }
                if (round >= opt.refineRounds() || binding.isEmpty() || solvedOn.size() >= cap
                        || stale >= 2 || splitBinding(lp, search, opt, cap, binding, delta, clearance) == 0) {
                    return new Solved(result.delta(), result.objective(), solvedOn);
                }
            }
        }
    }

    /**
     * Per goal, how far its kept rows must give way for the rules' rows to hold on {@code partition} (the
     * {@link RepairProgram#diagnosis} program): positive for the kept properties that conflict with the rules, 0
     * elsewhere; null when the rules' rows cannot all hold even with nothing kept.
     */
    static double[] conflicts(RepairTarget target, FidelitySamples fs, Goals goals, RepairOptions opt,
                              List<Subdomain> partition, double clearance) {
        try (RepairProgram lp = RepairProgram.diagnosis(target, fs, goals, opt)) {
            for (Subdomain s : partition) {
                lp.add(s, clearance);
            }
            LinearProgram.Solution x = lp.solve();
            DebugTrace.log("diagnosis: %s", x.status());
            return x.found() ? lp.elasticUsed(x.values()) : null;
        }
    }

    /** Splits the binding subdomains, loosest (after the change) first, within the round's budget; how many. */
    private static int splitBinding(RepairProgram lp, SubdomainSearch search, RepairOptions opt, int cap,
                                    List<Subdomain> binding, ParameterDelta delta, double clearance) {
        List<Subdomain> order = new java.util.ArrayList<>(binding);
        order.sort(Comparator.comparingDouble(s -> -(s.looseness() + delta.widening(s))));
        int budget = Math.min(opt.splitsPerRound(), cap - lp.subdomains().size());
        int splitCount = 0;
        for (Subdomain s : order) {
            if (splitCount >= budget) {
                break;
            }
            List<Subdomain> kids = search.split(s);
            if (kids.size() < 2) {
                continue;
            }
            lp.replace(s, kids, clearance);
            splitCount++;
        }
        return splitCount;
    }
}
