/**
 * Lowering stage, architecture-preserving repair: {@link dev.engram.lower.repair.OutputLayerRepair} changes only
 * the output layer's weights and biases (an LP) and has the unchanged verifier prove the result. May import
 * {@code dev.engram.ir}, the runtime's {@code model} and {@code verify} packages and OR-Tools; no front end.
 */
package dev.engram.lower.repair;
