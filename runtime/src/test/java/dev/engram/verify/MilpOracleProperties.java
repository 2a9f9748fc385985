package dev.engram.verify;

import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The verifier agrees with an exact MILP ({@link MilpOracle}, SCIP) on small random ReLU networks and random box
 * properties it was never tuned on: the unsafe set is a disjunction of one or two conjunctions of random output
 * constraints, whose thresholds are shifted so that the best reachable slack is a chosen {@code δ} (reachable when
 * {@code δ > 0}, not when {@code δ < 0}), with {@code |δ|} far above float32 rounding. Zero disagreements on
 * {@code sat}/{@code unsat}; a timeout is allowed, an {@code unknown} is not. A bigger run:
 * {@code bench/run runtime dev.engram.bench.MilpAgreementBench}.
 */
public class MilpOracleProperties {

    @Test
    void verdictsAgreeWithTheMilp() {
        int[] counts = new int[3];
        qt().withExamples(30).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            Verdict v = check(seed, 3);
            counts[v instanceof Verdict.Sat ? 0 : v instanceof Verdict.Unsat ? 1 : 2]++;
        });
        System.out.printf("[milp] %d sat, %d unsat (all agree with SCIP), %d timeouts%n", counts[0], counts[1],
                counts[2]);
        assertTrue(counts[0] > 0 && counts[1] > 0, "both answers should occur");
    }

    /** One random case: the verdict, after checking it against the MILP's. */
    public static Verdict check(long seed, double timeout) {
        Case c = randomCase(seed);
        return c.check(BranchAndBoundVerifier.create().verify(c.net(), c.property(),
                new VerifyOptions(timeout, 2, seed)));
    }

    /** A random network and property with the MILP's answer ({@code reachable}: the unsafe set is reachable). */
    record Case(long seed, DenseNetwork net, Property property, boolean reachable) {
        /** The verdict, after checking it against the MILP's: no disagreement, no unknown (a timeout may occur). */
        Verdict check(Verdict v) {
            String what = "seed " + seed + ": MILP says " + (reachable ? "sat" : "unsat") + ", verifier " + v.word();
            assertTrue(!(v instanceof Verdict.Unknown), what);
            if (!(v instanceof Verdict.Timeout)) {
                assertTrue(reachable == v instanceof Verdict.Sat, what);
            }
            return v;
        }
    }

    /** One random case (see the class comment), its answer given by the MILP. */
    static Case randomCase(long seed) {
        RandomNets.Case gen = RandomNets.Case.of(seed, 1, 5, 1, 4);
        Random r = gen.random();
        DenseNetwork net = gen.net();
        Box box = gen.box();
        double delta = (r.nextBoolean() ? 1 : -1) * (0.002 + 0.3 * r.nextDouble());
        List<List<LinearConstraint>> unsafe = new ArrayList<>();
        boolean reachable = false;
        for (int k = 1 + r.nextInt(2); k > 0; k--) {
            List<LinearConstraint> conj = RandomNets.constraints(r, 1 + r.nextInt(3), gen.outputs());
            // each conjunction's best slack is its own δ_k
            double dk = k == 1 ? delta : -Math.abs(delta) - 0.01 * r.nextDouble();
            List<LinearConstraint> shifted = MilpOracle.withBestSlack(net, box, conj, dk, 30);
            assertTrue(shifted != null, "seed " + seed + ": SCIP did not solve the MILP");
            unsafe.add(shifted);
            reachable |= dk > 0;
        }
        return new Case(seed, net, new Property("milp", InputRegion.of(box), unsafe), reachable);
    }
}
