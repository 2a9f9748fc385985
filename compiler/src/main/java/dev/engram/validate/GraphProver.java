package dev.engram.validate;

import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.model.dag.Add;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Mul;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.graph.GraphVerifier;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Proving an obligation on a model that is not a dense chain: the whole graph as executed ({@link GraphVerifier}:
 * float32-sound bounds, attacks whose witnesses are re-executed) for rules and properties; an {@code ignore} by the
 * structure of the input mask in front of the graph (exact for every finite input); the other obligations have no
 * proof on such a graph yet and are {@code unknown}.
 */
public final class GraphProver {
    public static final String GRAPH_BOUNDS = "graph bounds on the whole model";
    public static final String MASKED = "structural: the input is multiplied by a constant that is 0 at the ignored"
            + " slots, then a constant is added, before anything else reads it";
    public static final String DIFFERING_PAIR = "two inputs that differ only in the ignored slots, run by the graph"
            + " executor";
    /** Pairs of inputs run at once when looking for a dependence on ignored slots. */
    private static final int PAIRS = 32;

    private GraphProver() {
    }

    /** The proof of {@code ob} on {@code dag} within {@code timeoutSeconds}. */
    public static ObligationProver.Proof prove(Dag dag, Obligation ob, double timeoutSeconds) {
        return prove(dag, ob, null, timeoutSeconds);
    }

    /**
     * The proof of {@code ob} on {@code dag} within {@code timeoutSeconds}; an {@code ignore} that is not proved by
     * the mask's structure is refuted, when {@code domain} is given, by two sampled inputs that differ only in the
     * ignored slots and get different outputs from the graph executor (the {@code sat} witness is the first).
     */
    public static ObligationProver.Proof prove(Dag dag, Obligation ob, SampleDomain domain, double timeoutSeconds) {
        if (ob instanceof Obligation.Invariance inv) {
            long t0 = System.nanoTime();
            if (masked(dag, inv.slots())) {
                return new ObligationProver.Proof(new Verdict.Unsat(ObligationProver.seconds(t0)), MASKED);
            }
            Verdict pair = domain == null ? null : differingPair(dag, inv.slots(), domain, t0);
            return new ObligationProver.Proof(pair != null ? pair : new Verdict.Unknown("the input is not masked by a"
                    + " constant 0 at the ignored slots" + (domain == null ? "" : ", and no sampled pair of inputs told"
                    + " the difference"), ObligationProver.seconds(t0)), pair != null ? DIFFERING_PAIR : MASKED);
        }
        Property p = ob instanceof Obligation.Enforce e ? e.property()
                : ob instanceof Obligation.Check c ? c.property() : null;
        if (p == null) {
            return new ObligationProver.Proof(new Verdict.Unknown("a " + ob.kind() + " has no proof on a model that"
                    + " is not a dense chain", 0), GRAPH_BOUNDS);
        }
        VerifyOptions options = VerifyOptions.defaults().withTimeout(Math.max(0, timeoutSeconds));
        return new ObligationProver.Proof(GraphVerifier.verifyAny(dag, List.of(p), options), GRAPH_BOUNDS);
    }

    /**
     * Two inputs of {@code domain} (2,000 sampled pairs, fixed seed) equal outside {@code slots} whose outputs, run by
     * the graph executor in float32, differ: the first as a {@code sat} witness with its output; null when none did.
     */
    static Verdict differingPair(Dag dag, int[] slots, SampleDomain domain, long t0) {
        GraphExecutor exec = new GraphExecutor(dag);
        Random r = new Random(7);
        for (int batch = 0; batch < 2000 / PAIRS; batch++) {
            float[][] rows = new float[2 * PAIRS][];
            for (int k = 0; k < PAIRS; k++) {
                float[] a = domain.sample(r);
                float[] b = a.clone();
                float[] other = domain.sample(r);
                for (int s : slots) {
                    b[s] = other[s];
                }
                rows[2 * k] = a;
                rows[2 * k + 1] = b;
            }
            float[][] y = exec.run(rows);
            for (int k = 0; k < PAIRS; k++) {
                if (!Arrays.equals(y[2 * k], y[2 * k + 1])) {
                    return new Verdict.Sat(ObligationProver.toDouble(rows[2 * k]), ObligationProver.toDouble(y[2 * k]),
                            ObligationProver.seconds(t0));
                }
            }
        }
        return null;
    }

    /**
     * Whether the outputs of {@code dag} cannot depend on {@code slots} of its input, for any finite input: the
     * input is read by one node only, a {@code Mul} by a constant that is exactly 0 at every slot, whose result is
     * read by one node only, an {@code Add} of a constant (after which the slots hold that constant).
     */
    static boolean masked(Dag dag, int[] slots) {
        if (dag.inputs().size() != 1) {
            return false;
        }
        int[] uses = dag.uses();
        Dag.Node mul = onlyReader(dag, 0, uses);
        if (mul == null || !(mul.op() instanceof Mul m) || m.constant() == null) {
            return false;
        }
        float[] c = m.constant();
        int size = dag.shape(0).size();
        if (m.shape().size() != size) {
            return false;
        }
        for (int s : slots) {
            if (s < 0 || s >= size || Float.floatToRawIntBits(c[m.operandElement(1, s)]) != 0) {
                return false;
            }
        }
        int mv = dag.nodes().indexOf(mul) + dag.inputs().size();
        Dag.Node add = onlyReader(dag, mv, uses);
        return add != null && add.op() instanceof Add a && a.constant() != null && a.shape().size() == size;
    }

    private static Dag.Node onlyReader(Dag dag, int value, int[] uses) {
        if (uses[value] != 1) {
            return null;
        }
        for (Dag.Node n : dag.nodes()) {
            for (int a : n.args()) {
                if (a == value) {
                    return n;
                }
            }
        }
        return null;
    }
}
