package dev.engram.compile;

import dev.engram.lower.Changes;
import dev.engram.source.Span;
import dev.engram.validate.Fidelity;
import dev.engram.verify.Verdict;

/**
 * What happened to one obligation: its kind ({@code rule}, {@code ignore}, {@code steer}, {@code property}),
 * strategy, what the lowering changed, the translation-validation verdict on the patched model as read back from
 * the written file with how it was established, and times.
 *
 * @param correction the guard's output correction, empty for other lowerings
 * @param method     how the verdict was established (branch and bound, structural check, exact bias check)
 * @param choice     why the compiler chose the strategy, for rules left to it; empty otherwise
 */
public record RuleReport(String name, Span span, String kind, String strategy, Changes changes, double[] correction,
                         Verdict verdict, String method, double lowerSeconds, double verifySeconds, String choice) {
    public RuleReport {
        correction = correction.clone();
    }

    /** True when the obligation holds on the patched model. */
    public boolean proved() {
        return verdict instanceof Verdict.Unsat;
    }

    public int unitsAdded() {
        return changes.unitsAdded();
    }
}
