package dev.engram.validate;

import dev.engram.ir.Obligation;
import dev.engram.model.dag.Dag;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.graph.GraphVerifier;

import java.util.List;

/**
 * Proving an obligation on a model that is not a dense chain: the whole graph as executed ({@link GraphVerifier}:
 * float32-sound bounds, attacks whose witnesses are re-executed). Rules and properties only; the other obligations
 * have no proof on such a graph yet and are {@code unknown}.
 */
public final class GraphProver {
    public static final String GRAPH_BOUNDS = "graph bounds on the whole model";

    private GraphProver() {
    }

    /** The proof of {@code ob} on {@code dag} within {@code timeoutSeconds}. */
    public static ObligationProver.Proof prove(Dag dag, Obligation ob, double timeoutSeconds) {
        Property p = ob instanceof Obligation.Enforce e ? e.property()
                : ob instanceof Obligation.Check c ? c.property() : null;
        if (p == null) {
            return new ObligationProver.Proof(new Verdict.Unknown("a " + ob.kind() + " has no proof on a model that"
                    + " is not a dense chain", 0), GRAPH_BOUNDS);
        }
        VerifyOptions options = VerifyOptions.defaults().withTimeout(Math.max(0, timeoutSeconds));
        return new ObligationProver.Proof(GraphVerifier.verifyAny(dag, List.of(p), options), GRAPH_BOUNDS);
    }
}
