package dev.engram.lower.repair;

import dev.engram.lower.repair.OutputLayerRepair.Conflict;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the repair tries when its LP has no solution because of the kept properties, in order: refine the conflicting
 * kept properties' subdomains (rescues), make them movable ({@link Goals#movable}), choose their refuting constraints
 * again ({@link RefutationChoice}); when none applies, the conflicts stand. One instance per repair: it counts the
 * rescues and choices.
 */
final class Recovery {
    /** Times the kept properties' subdomains are refined when the LP has no solution, before conflicts are named. */
    static final int RESCUES = 4;
    /** Splitting passes per rescue (each bisects the conflicting properties' subdomains once). */
    static final int RESCUE_PASSES = 3;
    /** Subdomains of kept properties split per pass at most. */
    static final int RESCUE_SPLITS = 256;
    /** Times the kept properties' refuting constraints are chosen again when the LP has no solution. */
    static final int CHOICES = 4;

    /** The goals and the partition to solve on next; {@code conflicts}: what the last diagnosis named. */
    record Next(Goals goals, List<Subdomain> partition, List<Conflict> conflicts) {
    }

    private final RepairTarget target;
    private final FidelitySamples fs;
    private final SubdomainSearch search;
    private final RepairOptions opt;
    private int rescues;
    private int choices;

    Recovery(RepairTarget target, FidelitySamples fs, SubdomainSearch search, RepairOptions opt) {
        this.target = target;
        this.fs = fs;
        this.search = search;
        this.opt = opt;
    }

    /**
     * The next goals and partition to try after the LP on {@code goals} and {@code subs} had no solution; its
     * partition is null when nothing is left to try (then {@code conflicts} says why).
     */
    Next next(Goals goals, List<Subdomain> subs, double clearance) {
        List<Conflict> conflicts = Conflicts.find(target, fs, goals, opt, subs, clearance);
        List<Subdomain> finer = subs;
        for (int pass = 0; pass < RESCUE_PASSES && !conflicts.isEmpty() && rescues < RESCUES; pass++) {
            finer = splitKept(goals, finer, conflicts, clearance);
        }
        if (finer.size() > subs.size()) {
            // the kept properties' bounds may be too loose to leave the change room: refine them, retry
            DebugTrace.log("rescue %d: %d conflicts, %d -> %d subdomains", rescues, conflicts.size(), subs.size(),
                    finer.size());
            rescues++;
            return new Next(goals, finer, conflicts);
        }
        Goals moved = movable(goals, conflicts);
        if (moved != null) {
            // no room to keep them unmoved: let the change move them where the bounds still refute them
            DebugTrace.log("%d conflicting kept properties made movable", conflicts.size());
            return new Next(moved, subs, conflicts);
        }
        List<Subdomain> rechosen = choices < CHOICES && !conflicts.isEmpty()
                ? RefutationChoice.choose(target, fs, goals, opt, subs, clearance, search::refutation) : null;
        if (rechosen != null) {
            // the fixed choice of refuting constraint may be what conflicts: choose away from the rules' move
            DebugTrace.log("choice %d: refuting constraints chosen again", choices);
            choices++;
            return new Next(goals, rechosen, conflicts);
        }
        return new Next(goals, null, conflicts);
    }

    private static Set<Integer> keptGoals(Goals goals, List<Conflict> conflicts) {
        Set<Integer> g = new HashSet<>();
        for (Conflict c : conflicts) {
            g.add(goals.rules().size() + c.kept());
        }
        return g;
    }

    /**
     * The partition with the subdomains of the conflicting kept properties split where the original's bounds do not
     * refute them with room (there the program forbids any move toward them), or all of them when each has room,
     * at most {@link #RESCUE_SPLITS} of them and never past twice the subdomain cap.
     */
    private List<Subdomain> splitKept(Goals goals, List<Subdomain> subs, List<Conflict> conflicts, double clearance) {
        Set<Integer> conflicting = keptGoals(goals, conflicts);
        double outScale = fs.outScale();
        // where every one has room, the room is too small: split them all (tighter bounds of h, more room)
        boolean anyNeedy = subs.stream().anyMatch(s -> conflicting.contains(s.goal()) && s.needy(clearance, outScale));
        List<Subdomain> next = new ArrayList<>();
        int budget = Math.min(RESCUE_SPLITS, 2 * opt.maxSubdomains() - subs.size());
        for (Subdomain s : subs) {
            if (budget > 0 && conflicting.contains(s.goal()) && (!anyNeedy || s.needy(clearance, outScale))) {
                List<Subdomain> kids = search.split(s);
                next.addAll(kids);
                budget -= kids.size() - 1;
            } else {
                next.add(s);
            }
        }
        return next;
    }

    /**
     * {@code goals} with the conflicting kept properties made movable ({@link Goals#movable}), or null when they
     * all are already or some conflict is one no network can resolve.
     */
    private static Goals movable(Goals goals, List<Conflict> conflicts) {
        Set<Integer> g = new HashSet<>();
        for (Conflict c : conflicts) {
            if (c.impossible()) {
                return null;
            }
            int gi = goals.rules().size() + c.kept();
            if (goals.isFixed(gi)) {
                g.add(gi);
            }
        }
        return g.isEmpty() ? null : goals.movable(g);
    }
}
