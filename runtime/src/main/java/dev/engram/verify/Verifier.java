package dev.engram.verify;

import dev.engram.model.DenseNetwork;

/**
 * Decides a {@link Property} on a {@link DenseNetwork}: {@code unsat} (holds), {@code sat} with a concretely
 * re-executed counterexample, {@code unknown} or {@code timeout}. Never {@code unsat} when a counterexample exists.
 */
public interface Verifier {

    Verdict verify(DenseNetwork network, Property property, VerifyOptions options);

    /**
     * Decides a disjunction of properties (a spec violated when any of them is): {@code sat} at the first
     * counterexample, {@code unsat} when all hold, otherwise the first timeout or unknown. The time budget is
     * shared.
     */
    default Verdict verifyAny(DenseNetwork network, java.util.List<Property> properties, VerifyOptions options) {
        return any(properties, options, (p, o) -> verify(network, p, o));
    }

    /**
     * A disjunction of properties decided one by one with {@code verify}, sharing the time budget: {@code sat} at the
     * first counterexample, {@code unsat} when all hold, otherwise the first timeout or unknown.
     */
    static Verdict any(java.util.List<Property> properties, VerifyOptions options,
                       java.util.function.BiFunction<Property, VerifyOptions, Verdict> verify) {
        long start = System.nanoTime();
        Verdict undecided = null;
        for (Property p : properties) {
            double left = options.timeoutSeconds() - (System.nanoTime() - start) / 1e9;
            if (left <= 0) {
                return new Verdict.Timeout((System.nanoTime() - start) / 1e9);
            }
            Verdict v = verify.apply(p, options.withTimeout(left));
            if (v instanceof Verdict.Sat) {
                return v;
            }
            if (!(v instanceof Verdict.Unsat) && undecided == null) {
                undecided = v;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (undecided instanceof Verdict.Timeout) {
            return new Verdict.Timeout(secs);
        }
        if (undecided instanceof Verdict.Unknown u) {
            return new Verdict.Unknown(u.reason(), secs);
        }
        return new Verdict.Unsat(secs);
    }
}
