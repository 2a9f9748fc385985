/**
 * Stage: compute kernels. Float32 matrix products on the tile layout the executors use (values feature-major,
 * samples or pixels innermost), on the Vector API ({@link dev.engram.model.kernel.VectorKernel}) or in scalar code
 * with identical results ({@link dev.engram.model.kernel.PackedMatrix}); the double products of the verifier's backward
 * bound passes likewise ({@link dev.engram.model.kernel.RowProducts}). May import {@code jdk.incubator.vector}
 * only; nothing of Engram.
 */
package dev.engram.model.kernel;
