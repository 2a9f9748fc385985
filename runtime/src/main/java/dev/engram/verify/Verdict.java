package dev.engram.verify;

/** The answer of the verifier, in VNN-COMP's words. */
public sealed interface Verdict {
    /** The unsafe set is unreachable: the property holds. */
    record Unsat(double seconds) implements Verdict { }

    /**
     * A counterexample, re-executed concretely: {@code output} is the network's output at {@code input}.
     * {@code onStrictBoundary} lists the strict constraints ({@code <}, {@code >} in VNN-LIB, or open box faces) that
     * the witness meets with equality, in exact arithmetic: the verifier reads strict constraints as non-strict, so
     * such a witness violates the closed property but not, taken literally, the strict one. Empty for an ordinary
     * witness.
     */
    record Sat(double[] input, double[] output, double seconds, java.util.List<Boundary> onStrictBoundary,
               java.util.Optional<Witness> partner) implements Verdict {
        public Sat {
            onStrictBoundary = java.util.List.copyOf(onStrictBoundary);
        }

        public Sat(double[] input, double[] output, double seconds, java.util.List<Boundary> onStrictBoundary) {
            this(input, output, seconds, onStrictBoundary, java.util.Optional.empty());
        }

        public Sat(double[] input, double[] output, double seconds) {
            this(input, output, seconds, java.util.List.of());
        }

        /**
         * A counterexample to a relational property (monotonicity): two executions, {@code input} and
         * {@code partner.input()}, that together violate it.
         */
        public static Sat pair(double[] input, double[] output, double[] input2, double[] output2, double seconds) {
            return new Sat(input, output, seconds, java.util.List.of(),
                    java.util.Optional.of(new Witness(input2, output2)));
        }

        /** True when the witness lies on the boundary of a strict constraint. */
        public boolean onBoundary() {
            return !onStrictBoundary.isEmpty();
        }
    }

    /**
     * A strict constraint met with equality by a witness: over the inputs ({@code input}: an open box face, as
     * {@code ±x_i <= ±face}, or a strict input constraint) or over the outputs (a strict constraint of the unsafe
     * conjunction the witness reaches).
     */
    record Boundary(boolean input, LinearConstraint constraint) { }

    /** The second execution of a pair counterexample: an input and the network's float32 output there. */
    record Witness(double[] input, double[] output) { }

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
