package dev.engram.validate;

import dev.engram.ir.Decision;
import dev.engram.ir.SampleDomain;
import dev.engram.model.DenseNetwork;
import dev.engram.model.dag.Dag;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Agreement of the patched model with the original on sampled inputs: how many samples, the share whose
 * decision (arg-min or arg-max of the outputs) is unchanged, and the largest absolute output change. With no
 * samples the agreement is not a number ({@link #measured()} is false), never a vacuous 100 %.
 */
public record Fidelity(int samples, double decisionAgreement, double maxOutputChange) {
    /** Samples evaluated at once. */
    private static final int BATCH = 64;

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
        return measure(rows -> evaluate(a, rows), rows -> evaluate(b, rows), domain, excluded, samples, decision,
                seed, deadline);
    }

    /**
     * {@link #measure(DenseNetwork, DenseNetwork, SampleDomain, List, int, Decision, long, Deadline)} on graphs,
     * executed in batches by the graph executor.
     */
    public static Fidelity measure(Dag a, Dag b, SampleDomain domain, List<Box> excluded, int samples,
                                   Decision decision, long seed, Deadline deadline) {
        GraphExecutor ea = new GraphExecutor(a);
        GraphExecutor eb = new GraphExecutor(b);
        return measure(ea::run, eb::run, domain, excluded, samples, decision, seed, deadline);
    }

    private static float[][] evaluate(DenseNetwork net, float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int k = 0; k < rows.length; k++) {
            out[k] = net.evaluate(rows[k]);
        }
        return out;
    }

    /** The measurement with batch evaluators: samples drawn (rejection sampling) and run 64 at a time. */
    private static Fidelity measure(UnaryOperator<float[][]> a, UnaryOperator<float[][]> b, SampleDomain domain,
                                    List<Box> excluded, int samples, Decision decision, long seed,
                                    Deadline deadline) {
        Random r = new Random(seed);
        int n = 0;
        int same = 0;
        double maxChange = 0;
        List<float[]> batch = new ArrayList<>();
        for (int tries = 0; n + batch.size() < samples && tries < samples * 50; tries++) {
            float[] x = domain.sample(r);
            if (!inAny(x, excluded)) {
                batch.add(x);
            }
            boolean last = n + batch.size() >= samples || tries + 1 >= samples * 50;
            if (batch.size() == BATCH || last && !batch.isEmpty()) {
                deadline.check();
                float[][] rows = batch.toArray(new float[0][]);
                float[][] ya = a.apply(rows);
                float[][] yb = b.apply(rows);
                for (int k = 0; k < rows.length; k++) {
                    n++;
                    if (decision.of(ya[k]) == decision.of(yb[k])) {
                        same++;
                    }
                    for (int j = 0; j < ya[k].length; j++) {
                        maxChange = Math.max(maxChange, Math.abs(ya[k][j] - yb[k][j]));
                    }
                }
                batch.clear();
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
