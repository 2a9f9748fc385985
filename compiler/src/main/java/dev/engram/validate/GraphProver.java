package dev.engram.validate;

import dev.engram.ir.Obligation;
import dev.engram.model.dag.Add;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.Mul;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.graph.GraphVerifier;

import java.util.List;

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

    private GraphProver() {
    }

    /** The proof of {@code ob} on {@code dag} within {@code timeoutSeconds}. */
    public static ObligationProver.Proof prove(Dag dag, Obligation ob, double timeoutSeconds) {
        if (ob instanceof Obligation.Invariance inv) {
            long t0 = System.nanoTime();
            boolean holds = masked(dag, inv.slots());
            double s = (System.nanoTime() - t0) / 1e9;
            return new ObligationProver.Proof(holds ? new Verdict.Unsat(s)
                    : new Verdict.Unknown("the input is not masked by a constant 0 at the ignored slots", s), MASKED);
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
