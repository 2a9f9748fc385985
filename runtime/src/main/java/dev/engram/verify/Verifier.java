package dev.engram.verify;

import dev.engram.model.DenseNetwork;

/**
 * Decides a {@link Property} on a {@link DenseNetwork}: {@code unsat} (holds), {@code sat} with a concretely
 * re-executed counterexample, {@code unknown} or {@code timeout}. Never {@code unsat} when a counterexample exists.
 */
public interface Verifier {

    Verdict verify(DenseNetwork network, Property property, VerifyOptions options);
}
