package dev.engram.verify;

/** The answer of the verifier, in VNN-COMP's words. */
public sealed interface Verdict {
    /** The unsafe set is unreachable: the property holds. */
    record Unsat(double seconds) implements Verdict { }

    /** A counterexample, re-executed concretely: {@code output} is the network's output at {@code input}. */
    record Sat(double[] input, double[] output, double seconds) implements Verdict { }

    /** No definite answer (incomplete method, unsupported feature); {@code reason} says why. */
    record Unknown(String reason, double seconds) implements Verdict { }

    /** The time budget ran out. */
    record Timeout(double seconds) implements Verdict { }

    /** How long the verification took, in seconds. */
    double seconds();

    /** The VNN-COMP word for this verdict: unsat, sat, unknown or timeout. */
    default String word() {
        if (this instanceof Unsat) {
            return "unsat";
        }
        if (this instanceof Sat) {
            return "sat";
        }
        return this instanceof Timeout ? "timeout" : "unknown";
    }
}
