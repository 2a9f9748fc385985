package dev.engram.validate;

import dev.engram.ir.Measurement;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.monotone.Monotonicity;
import dev.engram.verify.monotone.MonotonicityVerifier;

import java.util.Random;

/**
 * Decides whether one obligation holds on a network, whatever produced the network: rules and properties with the
 * branch-and-bound verifier; an invariance structurally ({@link Independence}), and when it does not hold that way,
 * by looking for two inputs that differ only in the ignored input and get different outputs. Used by translation
 * validation (through each lowering's {@code establish}) and by {@code engram verify --rules}.
 */
public final class ObligationProver {
    /** What the branch-and-bound method is called in reports. */
    public static final String BRANCH_AND_BOUND = "branch and bound";

    private ObligationProver() {
    }

    /**
     * A verdict and how it was established, for reports; for statements over learned concepts, what was measured
     * ({@link Measurement#NONE} for proofs).
     */
    public record Proof(Verdict verdict, String method, Measurement measurement) {
        public Proof {
            measurement = measurement == null ? Measurement.NONE : measurement;
        }

        public Proof(Verdict verdict, String method) {
            this(verdict, method, Measurement.NONE);
        }

        public boolean holds() {
            return verdict instanceof Verdict.Unsat;
        }
    }

    /**
     * The proof of {@code ob} on {@code net}. Steering has no property of its own and is {@code unknown} here (its
     * lowering checks the written delta itself). For a violated invariance the {@code sat} witness is one of the two
     * inputs, with its output.
     */
    public static Proof prove(DenseNetwork net, Obligation ob, SampleDomain domain, double timeoutSeconds) {
        long t0 = System.nanoTime();
        if (ob instanceof Obligation.Enforce e) {
            return new Proof(verify(net, e.property(), timeoutSeconds), BRANCH_AND_BOUND);
        }
        if (ob instanceof Obligation.Check c) {
            return new Proof(verify(net, c.property(), timeoutSeconds), BRANCH_AND_BOUND);
        }
        if (ob instanceof Obligation.Monotone m) {
            return monotone(net, m.property(), timeoutSeconds);
        }
        if (ob instanceof Obligation.Invariance inv) {
            return new Proof(independence(net, inv, domain, t0),
                    "structural: every first-layer weight from the ignored slots is 0");
        }
        return new Proof(new Verdict.Unknown("steering is a change, not a property", 0),
                "exact: the bias delta is in the written model");
    }

    /**
     * The monotonicity verdict, with the float32 tolerance of a proof in its method: proved means non-decreasing in
     * real arithmetic, and in float32 up to that tolerance.
     */
    public static Proof monotone(DenseNetwork net, Monotonicity m, double timeoutSeconds) {
        MonotonicityVerifier.Result r = MonotonicityVerifier.verify(net, m, timeoutSeconds);
        String how = "derivative bounds, branch and bound (" + r.subdomains() + " subdomain"
                + (r.subdomains() == 1 ? "" : "s") + ")";
        if (r.verdict() instanceof Verdict.Unsat) {
            how += ": non-decreasing in real arithmetic; in float32 up to the error bound "
                    + String.format(java.util.Locale.ROOT, "%.3g", r.tolerance()) + " (model units)";
        }
        return new Proof(r.verdict(), how);
    }

    /** The branch-and-bound verdict of {@code p} on {@code net} within {@code timeoutSeconds}. */
    public static Verdict verify(DenseNetwork net, Property p, double timeoutSeconds) {
        return BranchAndBoundVerifier.create().verify(net, p, VerifyOptions.defaults().withTimeout(timeoutSeconds));
    }

    /** Structural proof, else a search for a pair of inputs that differ only in the ignored slots. */
    static Verdict independence(DenseNetwork net, Obligation.Invariance inv, SampleDomain domain, long t0) {
        if (Independence.prove(net, inv.slots()).holds()) {
            return new Verdict.Unsat(seconds(t0));
        }
        if (domain != null) {
            Random r = new Random(7);
            for (int k = 0; k < 2000; k++) {
                float[] a = domain.sample(r);
                float[] b = domain.sample(r);
                float[] x2 = a.clone();
                for (int s : inv.slots()) {
                    x2[s] = b[s];
                }
                float[] ya = net.evaluate(a);
                float[] yb = net.evaluate(x2);
                if (!java.util.Arrays.equals(ya, yb)) {
                    return new Verdict.Sat(toDouble(a), toDouble(ya), seconds(t0));
                }
            }
        }
        return new Verdict.Unknown("first-layer weights read '" + inv.input() + "' but no sampled pair of inputs "
                + "told the difference", seconds(t0));
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
