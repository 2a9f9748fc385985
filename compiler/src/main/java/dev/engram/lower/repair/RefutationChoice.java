package dev.engram.lower.repair;

import dev.engram.lower.repair.Subdomain.Refutation;
import dev.engram.verify.LinearConstraint;

import java.util.ArrayList;
import java.util.List;

/**
 * Choosing again which constraint refutes a kept property's conjunction on a subdomain, when the LP has no
 * solution. {@link SubdomainSearch#analyse} chooses, per conjunction and subdomain, the constraint the original's
 * bounds come closest to refuting; where a rule's rows must move the outputs one way and such a choice forbids that
 * on an overlapping interval of {@code h}, no change of the output layer satisfies both, although refuting another
 * constraint of the same conjunction would keep the property as well (the conjunction is refuted when any one of its
 * constraints is).
 *
 * <p>The choice program is the {@link RepairProgram#diagnosis} program with the rules' rows as they are and, for
 * every kept subdomain and conjunction, the row of <em>every</em> constraint of the conjunction (each from its own
 * sound lower gap on the subdomain), each relaxed by its own elastic variable; the sum of the elastic variables is
 * minimised (first with the current choices only, to find the conjunctions in conflict, then with all candidates
 * for those only). Per subdomain and conjunction, the constraint whose elastic gives way least (of those giving way
 * equally, the one the original's bounds come closest to refuting, which needs the least change) is chosen, where it
 * gives way less than the current choice's. A choice changes only which true statement about the repaired network the
 * repair's LP asks for; every repair is still proved by the verifier.
 */
final class RefutationChoice {

    /** The original's sound refutation of constraint {@code c} on subdomain {@code s}, or null when unknown. */
    @FunctionalInterface
    interface Refuter {
        Refutation refute(Subdomain s, LinearConstraint c);
    }

    /** One candidate: refutation {@code r} for conjunction {@code k} of partition entry {@code sub}, elastic {@code e}. */
    private record Candidate(int sub, int k, Refutation r, int e) {
    }

    private RefutationChoice() {
    }

    /**
     * {@code partition} with the kept properties' refuting constraints chosen again; null when the rules' rows
     * cannot hold even with nothing kept, or when no choice changes. First the current choices alone, each row with
     * its own elastic: the rows giving way are those in conflict; then every constraint as a candidate for those
     * conjunctions only, so that the change is not pushed toward refuting conjunctions that need no new choice.
     */
    static List<Subdomain> choose(RepairTarget target, FidelitySamples fs, Goals goals, RepairOptions opt,
                                  List<Subdomain> partition, double clearance, Refuter refuter) {
        java.util.Set<Long> conflicting = new java.util.HashSet<>();
        List<Candidate> current = new ArrayList<>();
        double[] v = solve(target, fs, goals, opt, partition, clearance, refuter, conflicting, current);
        double tol = 1e-9 * (1 + fs.outScale());
        if (v == null) {
            return null;
        }
        for (Candidate c : current) {
            if (v[c.e()] > tol) {
                conflicting.add(key(c.sub(), c.k()));
            }
        }
        DebugTrace.log("choice: %d kept conjunctions give way", conflicting.size());
        if (conflicting.isEmpty()) {
            return null;
        }
        List<Candidate> cands = new ArrayList<>();
        v = solve(target, fs, goals, opt, partition, clearance, refuter, conflicting, cands);
        return v == null ? null : pick(partition, cands, v, tol);
    }

    private static long key(int sub, int k) {
        return ((long) sub << 20) | k;
    }

    /**
     * Solves the choice program with every constraint as a candidate for the conjunctions in {@code open} and the
     * current choice elsewhere ({@code cands}: the candidates added); its solution, or null.
     */
    private static double[] solve(RepairTarget target, FidelitySamples fs, Goals goals, RepairOptions opt,
                                  List<Subdomain> partition, double clearance, Refuter refuter,
                                  java.util.Set<Long> open, List<Candidate> cands) {
        double outScale = fs.outScale();
        try (RepairProgram lp = RepairProgram.diagnosis(target, fs, goals, opt)) {
            for (int i = 0; i < partition.size(); i++) {
                Subdomain s = partition.get(i);
                if (!goals.isKept(s.goal())) {
                    lp.add(s, clearance);
                    continue;
                }
                for (int k = 0; k < s.refutations().length; k++) {
                    Refutation ch = s.refutations()[k];
                    boolean fixed = goals.isFixed(s.goal());
                    if (fixed && need(ch, clearance, outScale) >= 0) {
                        // kept by rows that forbid any move toward the conjunction: nothing to choose
                        for (LinearConstraint c : goals.unsafe(s.goal()).get(k)) {
                            lp.elasticRow(s, c.coefficients(), 0);
                        }
                        continue;
                    }
                    boolean all = open.contains(key(i, k));
                    for (LinearConstraint c : goals.unsafe(s.goal()).get(k)) {
                        Refutation alt = c == ch.constraint() ? ch : all ? refuter.refute(s, c) : null;
                        // a fixed property is refuted only where it has room
                        if (alt != null && (alt == ch || !fixed || need(alt, clearance, outScale) < 0)) {
                            double need = need(alt, clearance, outScale);
                            cands.add(new Candidate(i, k, alt, lp.elasticRow(s, c.coefficients(), need)));
                        }
                    }
                }
            }
            LinearProgram.Solution x = lp.solve();
            DebugTrace.log("choice program: %d candidates, %s", cands.size(), x.status());
            return x.found() ? x.values() : null;
        }
    }

    private static double need(Refutation r, double clearance, double outScale) {
        return r.required(clearance, outScale) - r.lowerGap();
    }

    /** Per subdomain and conjunction, the candidate giving way least, where it is not the current choice. */
    private static List<Subdomain> pick(List<Subdomain> partition, List<Candidate> cands, double[] v, double tol) {
        List<Subdomain> out = new ArrayList<>(partition);
        int changed = 0;
        int from = 0;
        while (from < cands.size()) {
            int to = from;
            Candidate cur = null;
            Candidate best = null;
            while (to < cands.size() && cands.get(to).sub() == cands.get(from).sub()
                    && cands.get(to).k() == cands.get(from).k()) {
                Candidate c = cands.get(to++);
                Subdomain s = partition.get(c.sub());
                if (c.r() == s.refutations()[c.k()]) {
                    cur = c;
                }
                // least elastic; among those giving way equally, the one the original's bounds come closest to
                if (best == null || v[c.e()] < v[best.e()] - tol
                        || v[c.e()] <= v[best.e()] + tol && c.r().lowerGap() > best.r().lowerGap()) {
                    best = c;
                }
            }
            if (cur != null && best != cur && v[best.e()] < v[cur.e()] - tol) {
                out.set(best.sub(), out.get(best.sub()).choosing(best.k(), best.r().pin()));
                changed++;
            }
            from = to;
        }
        DebugTrace.log("refutations chosen again on %d kept conjunctions", changed);
        return changed == 0 ? null : out;
    }
}
