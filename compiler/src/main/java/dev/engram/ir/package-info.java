/**
 * The IR, in model units: {@code Obligation} (sealed: enforce, invariance, steer, check), {@code Ir}, the sampling
 * domain, the decision and the units for display. Built by {@code front} or by the Java API. Imports only the
 * runtime's verification values ({@code Box}, {@code Property}) and {@code source.Span}.
 */
package dev.engram.ir;
