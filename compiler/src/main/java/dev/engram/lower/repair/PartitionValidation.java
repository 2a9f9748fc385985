package dev.engram.lower.repair;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.Boxes;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.InputRegion;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Translation validation of a repaired rule with the unchanged verifier: first on the rule as given; when that
 * runs out of time, on the same rule with its region written as the repair's partition (the leaves of bisecting
 * each region box: the same set of inputs, so unsat means the same), which hands the verifier the subdomains on
 * which the repair was built.
 */
final class PartitionValidation {
    private static final boolean DEBUG = Boolean.getBoolean("engram.repair.debug");

    /** What the verifier said, and the property it said it on (the rule or the rule on its partition). */
    record Validated(Verdict verdict, Property property) {
    }

    private PartitionValidation() {
    }

    /** Validates rule {@code ri} of the repair on {@code repaired}, given the repair's final {@code partition}. */
    static Validated validate(DenseNetwork repaired, Property rule, int ri, List<Subdomain> partition,
                              RepairOptions opt) {
        Verdict v = BranchAndBoundVerifier.create().verify(repaired, rule,
                VerifyOptions.defaults().withTimeout(opt.verifyTimeout()));
        if (v instanceof Verdict.Unsat || v instanceof Verdict.Sat) {
            return new Validated(v, rule);
        }
        List<Box> leaves = new ArrayList<>();
        for (Subdomain s : partition) {
            if (s.rule() == ri) {
                leaves.add(s.box());
            }
        }
        if (!covers(leaves, rule.region().boxes())) {
            return new Validated(v, rule);
        }
        if (DEBUG) {
            System.err.printf("[repair] %s: %s on the rule; validating on %d partition boxes%n", rule.name(),
                    v.word(), leaves.size());
        }
        Property split = new Property(rule.name(), new InputRegion(leaves, rule.region().constraints()),
                rule.unsafe());
        Verdict w = BranchAndBoundVerifier.create().verify(repaired, split,
                VerifyOptions.defaults().withTimeout(6 * opt.verifyTimeout() + 0.05 * leaves.size()));
        if (DEBUG) {
            System.err.printf("[repair] partition validation: %s in %.2f s%n", w.word(), w.seconds());
        }
        return new Validated(w, split);
    }

    /**
     * The cover check: every leaf lies in some region box, and the leaves inside each region box partition it
     * exactly ({@link Boxes#covers}).
     */
    static boolean covers(List<Box> leaves, List<Box> boxes) {
        for (Box l : leaves) {
            if (boxes.stream().noneMatch(b -> Boxes.inside(l, b))) {
                return false;
            }
        }
        for (Box b : boxes) {
            List<Box> mine = leaves.stream().filter(l -> Boxes.inside(l, b)).toList();
            if (!Boxes.covers(b, mine)) {
                return false;
            }
        }
        return true;
    }
}
