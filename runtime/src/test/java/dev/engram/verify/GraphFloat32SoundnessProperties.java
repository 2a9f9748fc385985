package dev.engram.verify;

import dev.engram.model.dag.Dags;
import dev.engram.verify.graph.GraphBounds;
import dev.engram.verify.graph.GraphVerifier;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The graph verifier ({@link GraphVerifier}, the per-operator bounds of {@code dev.engram.verify.graph}) on the
 * adversarial-rounding networks of {@link AdversarialNets}, run as graphs: never {@code unsat} where the exact float32
 * oracle ({@link Float32Oracle}: a dense grid of the box, each point's float neighbours, seven summation orders) finds
 * a float32 execution in the unsafe set; every {@code sat} witness is a float32 violation. Not vacuous: float32-only
 * violations occur and some cases are proved.
 */
class GraphFloat32SoundnessProperties {

    @Test
    void graphUnsatHoldsInEveryFloat32SummationOrder() {
        int[] tally = new int[4]; // cases, unsat, sat, float32-only violations
        qt().withExamples(100).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            AdversarialNets.Case c = AdversarialNets.generate(seed, 600);
            GraphBounds g = GraphBounds.of(Dags.of(c.net()));
            Verdict v = GraphVerifier.verify(g, c.property(), new VerifyOptions(0.25, 1, seed));
            int perAxis = c.box().dimension() == 1 ? 512 : 32;
            Float32Oracle.Violation found = Float32Oracle.search(c.net(), c.property(), c.box(), perAxis);
            tally[0]++;
            if (found != null && found.realSafe()) {
                tally[3]++;
            }
            if (v instanceof Verdict.Sat s) {
                tally[2]++;
                float[] x = new float[s.input().length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) s.input()[i];
                }
                assertTrue(Float32Oracle.unsafe(c.property(), Float32Oracle.evaluate(c.net(), x,
                        Float32Oracle.Order.SEQUENTIAL)), "seed " + seed + ": witness is not a violation");
            }
            if (v instanceof Verdict.Unsat) {
                tally[1]++;
                assertTrue(found == null, () -> "seed " + seed + " (" + c.kind() + "): unsat, but " + found.order()
                        + " at x = " + java.util.Arrays.toString(found.input()) + " gives y = "
                        + java.util.Arrays.toString(found.output()) + " (real arithmetic safe: " + found.realSafe()
                        + ")");
            }
        });
        System.out.printf("[graph float32] %d cases: %d unsat, %d sat, %d with float32-only violations%n", tally[0],
                tally[1], tally[2], tally[3]);
        assertTrue(tally[3] > 0, "the generator should produce float32-only violations");
        assertTrue(tally[1] > 0, "some cases should be proved");
    }
}
