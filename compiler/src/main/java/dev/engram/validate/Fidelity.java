package dev.engram.validate;

import dev.engram.ir.Decision;
import dev.engram.ir.SampleDomain;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.List;
import java.util.Random;

/**
 * Agreement of the patched model with the original on sampled inputs: how many samples, the share whose
 * decision (arg-min or arg-max of the outputs) is unchanged, and the largest absolute output change. With no
 * samples the agreement is not a number ({@link #measured()} is false), never a vacuous 100 %.
 */
public record Fidelity(int samples, double decisionAgreement, double maxOutputChange) {
    /** No samples: fidelity was not measured. */
    public static final Fidelity NOT_MEASURED = new Fidelity(0, Double.NaN, 0);

    /** True when at least one sample was drawn. */
    public boolean measured() {
        return samples > 0;
    }

    /**
     * Agreement of the decision and the largest output change on samples of {@code domain} that lie outside every
     * {@code excluded} box (rejection sampling, bounded tries); {@link Deadline.Expired} once {@code deadline}
     * passed.
     */
    public static Fidelity measure(DenseNetwork a, DenseNetwork b, SampleDomain domain, List<Box> excluded,
                                   int samples, Decision decision, long seed, Deadline deadline) {
        Random r = new Random(seed);
        int n = 0;
        int same = 0;
        double maxChange = 0;
        for (int tries = 0; n < samples && tries < samples * 50; tries++) {
            if ((tries & 63) == 0) {
                deadline.check();
            }
            float[] x = domain.sample(r);
            if (inAny(x, excluded)) {
                continue;
            }
            float[] ya = a.evaluate(x);
            float[] yb = b.evaluate(x);
            n++;
            if (decision.of(ya) == decision.of(yb)) {
                same++;
            }
            for (int j = 0; j < ya.length; j++) {
                maxChange = Math.max(maxChange, Math.abs(ya[j] - yb[j]));
            }
        }
        return new Fidelity(n, n == 0 ? Double.NaN : same / (double) n, maxChange);
    }

    private static boolean inAny(float[] x, List<Box> boxes) {
        for (Box e : boxes) {
            boolean in = true;
            for (int i = 0; i < x.length && in; i++) {
                in = x[i] >= e.lo()[i] && x[i] <= e.hi()[i];
            }
            if (in) {
                return true;
            }
        }
        return false;
    }
}
