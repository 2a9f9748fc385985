/**
 * Stage: the general graph IR. A {@link dev.engram.model.dag.Dag} of operators read from a
 * {@link dev.engram.model.graph.Graph} ({@link dev.engram.model.dag.GraphToDag}, one class per operator behind
 * {@link dev.engram.model.dag.Op}, shapes inferred and checked), then folded ({@link dev.engram.model.dag.FoldBatchNorm},
 * {@link dev.engram.model.dag.FoldBias}); {@link dev.engram.model.dag.Dags} is the entry. Operators compute their
 * forward pass on the tile layout with {@code dev.engram.model.kernel}. May import {@code dev.engram.model},
 * {@code .graph} and {@code .kernel}.
 */
package dev.engram.model.dag;
