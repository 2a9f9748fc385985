package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import dev.engram.model.dag.Dags;
import dev.engram.verify.graph.GraphBounds;
import dev.engram.verify.graph.GraphVerifier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The graph verifier on high-dimensional inputs (17 to 32, so that it bounds, runs α-CROWN and splits ReLUs
 * instead of the box) agrees with an exact MILP ({@link MilpOracle}, SCIP) on random ReLU networks run as graphs:
 * the unsafe set's thresholds are shifted so that its best reachable slack is a chosen {@code δ}, {@code |δ|}
 * in [0.002, 0.3]; cases SCIP does not solve in 30 s are left out. Half the cases run the ReLU splitting on two
 * worker threads. Zero disagreements on {@code sat}/{@code unsat}; a timeout is allowed, {@code unknown} is not.
 */
class GraphMilpProperties {

    @Test
    void graphVerdictsAgreeWithTheMilp() {
        int[] counts = new int[4];
        qt().withExamples(18).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            Verdict v = check(seed, 2);
            counts[v == null ? 3 : v instanceof Verdict.Sat ? 0 : v instanceof Verdict.Unsat ? 1 : 2]++;
        });
        System.out.printf("[graph milp] %d sat, %d unsat (all agree with SCIP), %d timeouts, %d cases SCIP did not"
                + " solve in 30 s%n", counts[0], counts[1], counts[2], counts[3]);
        assertTrue(counts[3] <= 5, "SCIP should solve most cases");
        assertTrue(counts[0] > 0 && counts[1] > 0, "both answers should occur");
    }

    /** One case: the verdict after checking it against the MILP's, or null when SCIP did not solve the MILP. */
    static Verdict check(long seed, double timeout) {
        Random r = new Random(seed);
        int d = 17 + r.nextInt(16);
        int m = 1 + r.nextInt(4);
        DenseNetwork net = RandomNets.relu(r, d, m, 4, 12, 0.3, 0, 0);
        Box box = RandomNets.box(seed, d);
        double delta = (r.nextBoolean() ? 1 : -1) * (0.002 + 0.3 * r.nextDouble());
        List<LinearConstraint> conj = RandomNets.constraints(r, 1 + r.nextInt(2), m);
        List<LinearConstraint> shifted = MilpOracle.withBestSlack(net, box, conj, delta, 30);
        if (shifted == null) {
            return null; // the oracle's failure (a loaded machine), not a case
        }
        Property p = new Property("milp", InputRegion.of(box), List.of(shifted));
        Verdict v = GraphVerifier.verify(GraphBounds.of(Dags.of(net)), p, new VerifyOptions(timeout, 1 + (int) (seed & 1), seed));
        boolean reachable = delta > 0;
        String what = "seed " + seed + " (δ = " + delta + "): MILP says " + (reachable ? "sat" : "unsat")
                + ", verifier " + v.word();
        assertTrue(!(v instanceof Verdict.Unknown), what);
        if (!(v instanceof Verdict.Timeout)) {
            assertTrue(reachable == v instanceof Verdict.Sat, what);
        }
        return v;
    }
}
