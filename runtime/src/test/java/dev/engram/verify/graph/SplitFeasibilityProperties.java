package dev.engram.verify.graph;

import dev.engram.verify.PropertyRuns;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Soundness of the split search's emptiness claims: on random ReLU networks run as graphs and random boxes, one to
 * six splits of unstable elements with <em>random</em> signs (so many subdomains are empty), a subdomain declared
 * empty by clamping ({@link GraphBounds#withSplit}), by recomputing the ranges after a split
 * ({@link GraphBounds#refine}) or by a feasibility bound ({@link ReluSplitSearch#infeasibleOrNext}) contains none of
 * 400 float32 inputs of the box (one in five at a corner) as executed by the graph executor (the oracle).
 */
class SplitFeasibilityProperties {

    @Test
    void emptySubdomainsHoldNoExecution() {
        int[] t = PropertyRuns.totals(300, seed -> {
            int c = check(seed);
            return new int[] {c > 0 ? 1 : 0, c == 2 ? 1 : 0};
        });
        int empty = t[0];
        int byBound = t[1];
        System.out.printf("[split feasibility] %d empty subdomains, %d of them by a feasibility bound%n", empty,
                byBound);
        assertTrue(empty >= 10, "random signs should give empty subdomains");
        assertTrue(byBound >= 2, "some should need the feasibility bound");
    }

    /** One case: 0 when the subdomain is not declared empty, 1 when by its ranges, 2 when by a feasibility bound. */
    private static int check(long seed) {
        Random r = new Random(seed);
        RandomGraphs.ReluCase gen = RandomGraphs.ReluCase.of(r);
        GraphBounds g = gen.g();
        GraphBounds.Ranges ranges = gen.rootRanges(r);
        List<int[]> unstable = RandomGraphs.unstable(g, ranges);
        if (unstable.isEmpty()) {
            return 0;
        }
        List<GraphBounds.Split> splits = new ArrayList<>();
        int verdict = 0;
        for (int j = 1 + r.nextInt(Math.min(6, unstable.size())); j > 0 && verdict == 0; j--) {
            int[] e = unstable.remove(r.nextInt(unstable.size()));
            GraphBounds.Split s = new GraphBounds.Split(e[0], e[1], r.nextBoolean());
            splits.add(s);
            ranges = g.withSplit(ranges, s);
            if (ranges != null && r.nextBoolean()) {
                ranges = g.refine(ranges, splits, s.value(), Deadline.NONE);
            }
            verdict = ranges == null ? 1 : 0;
        }
        if (verdict == 0) {
            ReluSplitSearch.Next next = ReluSplitSearch.infeasibleOrNext(g, ranges, splits, r.nextInt(17),
                    Deadline.NONE);
            verdict = next.refuted() ? 2 : 0;
        }
        if (verdict == 0) {
            return 0;
        }
        float[][] x = RandomGraphs.samples(r, gen.box(), 400);
        Map<Integer, float[][]> executed = new HashMap<>();
        for (GraphBounds.Split s : splits) {
            executed.computeIfAbsent(s.value(), u -> RandomGraphs.valueAt(gen.dag(), u, x));
        }
        for (int s = 0; s < x.length; s++) {
            if (RandomGraphs.meets(splits, executed, s)) {
                fail("seed " + seed + ": input " + s + " meets " + splits + ", declared empty "
                        + (verdict == 1 ? "by its ranges" : "by a feasibility bound"));
            }
        }
        return verdict;
    }
}
