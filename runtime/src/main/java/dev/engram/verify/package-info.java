/**
 * Stage: verification, the runtime's last stage. Decides a {@link dev.engram.verify.Property} on a
 * {@link dev.engram.model.DenseNetwork} ({@link dev.engram.verify.Verifier}: falsification, then branch and bound
 * over the input region; graphs that are not dense chains in {@code dev.engram.verify.graph}) and answers with a
 * {@link dev.engram.verify.Verdict}: {@code unsat} sound for the network
 * as executed in float32, {@code sat} only with a re-executed witness.
 *
 * <p>Imports: {@code dev.engram.model} (the network) and {@code dev.engram.verify.bounds}; nothing from the
 * compiler, the grammar or the CLI.
 */
package dev.engram.verify;
