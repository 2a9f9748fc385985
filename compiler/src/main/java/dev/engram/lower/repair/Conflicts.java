package dev.engram.lower.repair;

import dev.engram.lower.repair.OutputLayerRepair.Conflict;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Which kept properties the rules conflict with, when the repair's LP has no solution: the kept properties whose
 * rows must give way for the rules' rows to hold ({@link Refinement#conflicts}), each with the rules whose regions
 * meet its region (all rules when none does), and why, as far as it is known: no output vector at all satisfies
 * both where the regions meet ({@link UnsafeSets#coversEverything}: no network can), or how often the original
 * network violates the rule there (inputs whose outputs the change must move, in a way the kept property forbids).
 */
final class Conflicts {
    /** The reason when no network at all can satisfy both. */
    static final String NO_OUTPUT = "where their regions meet, no output satisfies both, on any network";
    /** Samples drawn where a rule's region meets a kept property's. */
    static final int SAMPLES = 2000;

    private Conflicts() {
    }

    /** The conflicts on {@code partition}; empty when the rules' rows have no solution even with nothing kept. */
    static List<Conflict> find(RepairTarget target, FidelitySamples fs, Goals goals, RepairOptions opt,
                               List<Subdomain> partition, double clearance) {
        double[] elastic = Refinement.conflicts(target, fs, goals, opt, partition, clearance);
        List<Conflict> out = new ArrayList<>();
        if (elastic == null) {
            return out;
        }
        int r = goals.rules().size();
        for (int g = r; g < goals.size(); g++) {
            if (elastic[g] <= 1e-6 * (1 + fs.outScale())) {
                continue;
            }
            Property kept = goals.get(g);
            List<Integer> rules = new ArrayList<>();
            StringBuilder why = new StringBuilder();
            for (int ri = 0; ri < r; ri++) {
                Box meet = meet(goals.rules().get(ri), kept);
                if (meet != null) {
                    rules.add(ri);
                    why.append(why.isEmpty() ? "" : "; ").append(reason(target, goals, ri, g, meet, opt.seed()));
                }
            }
            if (rules.isEmpty()) {
                for (int ri = 0; ri < r; ri++) {
                    rules.add(ri);
                }
                why.append("the regions do not meet, but the output layer is shared: no change of it was found that "
                        + "makes the rules hold and keeps '").append(kept.name()).append("'");
            }
            out.add(new Conflict(g - r, rules, why.toString(), why.indexOf(NO_OUTPUT) >= 0));
        }
        return out;
    }

    /** Why rule {@code ri} and kept goal {@code g} conflict where their regions meet ({@code meet}). */
    private static String reason(RepairTarget target, Goals goals, int ri, int g, Box meet, long seed) {
        Property rule = goals.get(ri);
        Property kept = goals.get(g);
        List<List<LinearConstraint>> both = new ArrayList<>(goals.unsafe(ri));
        both.addAll(goals.unsafe(g));
        if (UnsafeSets.coversEverything(both, target.outputs())) {
            return NO_OUTPUT;
        }
        Random rnd = new Random(seed);
        int d = meet.dimension();
        int violated = 0;
        for (int s = 0; s < SAMPLES; s++) {
            float[] x = new float[d];
            for (int i = 0; i < d; i++) {
                x[i] = (float) (meet.lo()[i] + rnd.nextDouble() * (meet.hi()[i] - meet.lo()[i]));
            }
            float[] y = target.net().evaluate(x);
            double[] yd = new double[y.length];
            for (int j = 0; j < y.length; j++) {
                yd[j] = y[j];
            }
            violated += rule.isUnsafe(yd, 0) ? 1 : 0;
        }
        return String.format(Locale.ROOT, "where '%s' meets '%s', the network violates '%s' on %.1f %% of %d sampled "
                        + "inputs, and no change of the output layer was found that moves those outputs out of "
                        + "'%s''s unsafe set without moving others into '%s''s", rule.name(), kept.name(),
                rule.name(), 100.0 * violated / SAMPLES, SAMPLES, rule.name(), kept.name());
    }

    /** The box where some box of {@code a}'s region meets some box of {@code b}'s (the first found), or null. */
    static Box meet(Property a, Property b) {
        for (Box x : a.region().boxes()) {
            for (Box y : b.region().boxes()) {
                int d = x.dimension();
                double[] lo = new double[d];
                double[] hi = new double[d];
                boolean ok = true;
                for (int i = 0; i < d && ok; i++) {
                    lo[i] = Math.max(x.lo()[i], y.lo()[i]);
                    hi[i] = Math.min(x.hi()[i], y.hi()[i]);
                    ok = lo[i] <= hi[i];
                }
                if (ok) {
                    return new Box(lo, hi);
                }
            }
        }
        return null;
    }
}
