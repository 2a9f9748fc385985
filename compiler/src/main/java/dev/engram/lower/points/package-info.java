/**
 * Lowering stage, pointwise and local repair: {@link dev.engram.lower.points.PointRepair} changes the output layer's
 * weights and biases (one LP), or for points one earlier layer's with the activation patterns held
 * ({@link dev.engram.lower.points.HiddenLayerRepair}), so that given inputs, or every input of a small box around
 * each, are classified as their labels, holding the other decisions ({@link dev.engram.lower.points.KeepSet}) with
 * the least change. May import {@code dev.engram.ir}, the runtime's {@code model} and {@code verify} packages, the LP
 * interface of {@code dev.engram.lower.repair} and OR-Tools; no front end.
 */
package dev.engram.lower.points;
