/**
 * Stage: bound propagation, used by the verifier's branch and bound and by the compiler's lowerings. Interval
 * (IBP), symbolic forward and backward linear (CROWN, α-CROWN) bounds of a network's values over an input box,
 * one relaxation class per activation ({@link dev.engram.verify.bounds.ActivationRelaxation}).
 *
 * <p>Imports: {@code dev.engram.model} and the verifier's value types ({@code Box}, {@code LinearConstraint}) only.
 */
package dev.engram.verify.bounds;
