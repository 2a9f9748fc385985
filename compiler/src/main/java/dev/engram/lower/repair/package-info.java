/**
 * Lowering stage, architecture-preserving repair: {@link dev.engram.lower.repair.OutputLayerRepair} changes only the
 * output layer's weights and biases, found by linear programming and proved by the unchanged verifier. May import
 * {@code dev.engram.ir}, the runtime's {@code model} and {@code verify} packages and OR-Tools; nothing of the front end.
 */
package dev.engram.lower.repair;
