/**
 * Stage: bound propagation over the general graph IR ({@link dev.engram.model.dag.Dag}), for networks that are not
 * dense chains (convolutions, pooling, residual additions, sigmoid and tanh). One class per operator behind
 * {@link dev.engram.verify.graph.BoundOp}, in the auto_LiRPA style: an interval forward pass, a bound on the
 * operator's own float32 evaluation error, and a linear (CROWN) backward relaxation;
 * {@link dev.engram.verify.graph.BoundOps} maps operators to them (adding one is one class and one line) and
 * {@link dev.engram.verify.graph.GraphBounds} runs them over a graph. The error model is the dense verifier's
 * ({@code docs/verifier.md}): every value is the exact operator applied to the executed arguments plus an error
 * bounded per element, carried as a widening through intervals and backward passes. Optimisation stays outside the
 * operators: {@link dev.engram.verify.graph.BetaCrown} (α and β), {@link dev.engram.verify.graph.ReluSplitSearch}
 * (branch and bound on ReLU splits; {@link dev.engram.verify.graph.SmartBranching} chooses its splits) and
 * {@link dev.engram.verify.graph.SCurveSplitSearch} (on S-curve cuts), both on a
 * {@link dev.engram.verify.graph.SplitProblem} with a {@link dev.engram.verify.graph.DomainQueue},
 * {@link dev.engram.verify.graph.GraphVerifier} (the decision).
 *
 * <p>Imports: {@code dev.engram.model.dag}, {@code dev.engram.model.exec} (the attack executes candidates),
 * {@code dev.engram.verify} (value types) and
 * {@code dev.engram.verify.bounds} (the rounding constants and the deadline).
 */
package dev.engram.verify.graph;
