package dev.engram.compile;

import dev.engram.source.Span;
import dev.engram.verify.Verdict;

/**
 * What happened to one rule: strategy, units added, the output correction, the translation-validation verdict
 * on the patched model and its time, and fidelity (share of sampled inputs outside the rule's dilated region
 * whose decision is unchanged, and the largest output change there).
 */
public record RuleReport(String name, Span span, String strategy, int unitsAdded, double[] correction,
                         Verdict verdict, double lowerSeconds, double verifySeconds, Fidelity outside) {
}
