/**
 * Stage: model execution. Runs a {@link dev.engram.model.DenseNetwork} in float32 on batches (scalar or Vector API).
 * May import {@code dev.engram.model} and {@code jdk.incubator.vector}; nothing else of Engram.
 */
package dev.engram.model.exec;
