/**
 * Stage: model reading, format-neutral half. The typed graph ({@link dev.engram.model.graph.Graph}) and
 * {@link dev.engram.model.graph.DenseExtractor}, graph to dense network. May import {@code dev.engram.model} only.
 */
package dev.engram.model.graph;
