/**
 * Stage: verification of relational properties — monotonicity of a linear form of the outputs in one input over a
 * region ({@link dev.engram.verify.monotone.Monotonicity}). {@link dev.engram.verify.monotone.MonotonicityVerifier}
 * bounds the partial derivative over the region with sound interval bounds of the Jacobian column
 * ({@link dev.engram.verify.monotone.DerivativeBounds}), splitting the region where they are inconclusive, and
 * searches for pairs of inputs that break it ({@link dev.engram.verify.monotone.PairSearch}); every pair is
 * re-executed in float32. Imports {@code dev.engram.model} and the public bounds of {@code dev.engram.verify.bounds}.
 */
package dev.engram.verify.monotone;
