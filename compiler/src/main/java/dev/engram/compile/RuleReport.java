package dev.engram.compile;

import dev.engram.ir.Measurement;
import dev.engram.lower.Changes;
import dev.engram.source.Span;
import dev.engram.verify.Verdict;

/**
 * What happened to one obligation: its kind ({@code rule}, {@code ignore}, {@code steer}, {@code property}),
 * strategy, what the lowering changed, the translation-validation verdict on the patched model as read back from
 * the written file with how it was established, and times.
 *
 * @param correction the guard's output correction, empty for other lowerings
 * @param method     how the verdict was established (branch and bound, structural check, exact bias check)
 * @param choice      why the compiler chose the strategy, for rules left to it; empty otherwise
 * @param measurement for statements over learned concepts, what was measured (and the formal part's verdict);
 *                    {@link Measurement#NONE} otherwise
 */
public record RuleReport(String name, Span span, String kind, String strategy, Changes changes, double[] correction,
                         Verdict verdict, String method, double lowerSeconds, double verifySeconds, String choice,
                         Measurement measurement) {
    public RuleReport {
        correction = correction.clone();
        measurement = measurement == null ? Measurement.NONE : measurement;
    }

    /**
     * True when the verdict rests on measured figures held to limits (a concept rule, an erasure), not on a proof;
     * a concept steering is proved exact and its measured effect only reported.
     */
    public boolean measured() {
        return measurement.figures().stream().anyMatch(f -> f.limit() != Measurement.Limit.NONE);
    }

    /** True when the obligation holds on the patched model. */
    public boolean proved() {
        return verdict instanceof Verdict.Unsat;
    }

    public int unitsAdded() {
        return changes.unitsAdded();
    }
}
