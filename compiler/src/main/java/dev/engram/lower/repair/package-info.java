/**
 * The architecture-preserving repair: only the output layer changes, found by linear programming over sound bounds
 * and accepted only when the verifier proves every rule. Imports {@code ir} and the runtime.
 */
package dev.engram.lower.repair;
