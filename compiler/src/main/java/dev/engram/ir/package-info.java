/**
 * The IR, in model units: {@code Obligation} (sealed: enforce, invariance, steer, check, and through the neural-code
 * dictionary concept rules, erasure and concept steering, with {@code ConceptCode}, {@code ConceptEvidence} and
 * {@code ConceptPolicy}), {@code Ir}, the sampling domain, the decision and the units for display. Built by
 * {@code front} or by the Java API. Imports only the runtime's verification values ({@code Box}, {@code Property})
 * and {@code source.Span}.
 */
package dev.engram.ir;
