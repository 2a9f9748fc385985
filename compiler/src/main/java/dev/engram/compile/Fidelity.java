package dev.engram.compile;

/**
 * Agreement of the patched model with the original on sampled inputs: how many samples, the share whose
 * decision (arg-min or arg-max of the outputs) is unchanged, and the largest absolute output change.
 */
public record Fidelity(int samples, double decisionAgreement, double maxOutputChange) {
}
