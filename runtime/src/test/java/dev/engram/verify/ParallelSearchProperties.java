package dev.engram.verify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The verdict does not depend on the schedule: on the random networks and properties of
 * {@link MilpOracleProperties}, the verifier with one worker, with two, and with two and a first round cut short
 * (0 ns: every subdomain but the root is explored in the second round; 2 ms: the first round's open subdomains are
 * resumed after the strong attack) agrees with the exact MILP every time (timeouts allowed, no unknown).
 */
class ParallelSearchProperties {

    @Test
    void verdictsDoNotDependOnThreadsOrRounds() {
        int[] decided = new int[1];
        qt().withExamples(20).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            MilpOracleProperties.Case c = MilpOracleProperties.randomCase(seed);
            Verifier[] verifiers = {BranchAndBoundVerifier.create(), BranchAndBoundVerifier.create(),
                    BranchAndBoundVerifier.withFirstRound(0), BranchAndBoundVerifier.withFirstRound(2_000_000)};
            int[] threads = {1, 2, 2, 2};
            for (int k = 0; k < verifiers.length; k++) {
                Verdict v = c.check(verifiers[k].verify(c.net(), c.property(), new VerifyOptions(5, threads[k], seed)));
                decided[0] += v instanceof Verdict.Timeout ? 0 : 1;
            }
        });
        assertTrue(decided[0] > 0, "some verdicts should be decided");
    }
}
