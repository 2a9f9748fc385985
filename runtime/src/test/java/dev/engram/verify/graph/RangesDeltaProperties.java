package dev.engram.verify.graph;

import dev.engram.verify.PropertyRuns;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RangesDelta} rebuilds the ranges it was made from, bit for bit: on random ReLU networks run as graphs and
 * random boxes, a chain of one to five splits (signs of an anchor input as executed, so no subdomain is empty; an
 * empty one is a failure), each subdomain's ranges (clamped, refined or not, as {@link ReluSplitSearch} makes them)
 * held as a delta over its parent's; at every depth the rebuilt ranges have the same bounds and error terms, element
 * for element, as the ranges computed directly (the oracle), and rebuilding leaves the parents' ranges unchanged.
 */
class RangesDeltaProperties {

    @Test
    void aDeltaChainRebuildsEveryDepthsRangesBitForBit() {
        int depths = PropertyRuns.totals(80, seed -> new int[] {check(seed)})[0];
        System.out.printf("[ranges delta] %d subdomain depths rebuilt%n", depths);
        assertTrue(depths >= 80, "most cases should split at least once");
    }

    /** One case: the number of depths checked. */
    private static int check(long seed) {
        Random r = new Random(seed);
        RandomGraphs.ReluCase gen = RandomGraphs.ReluCase.of(r);
        GraphBounds g = gen.g();
        RandomGraphs.Anchor anchor = RandomGraphs.Anchor.of(r, gen);
        GraphBounds.Ranges ranges = gen.rootRanges(r);
        RangesDelta delta = RangesDelta.root(ranges);
        List<GraphBounds.Ranges> direct = new ArrayList<>(List.of(ranges));
        List<RangesDelta> deltas = new ArrayList<>(List.of(delta));
        List<GraphBounds.Ranges> copies = new ArrayList<>(List.of(copy(ranges)));
        List<GraphBounds.Split> splits = new ArrayList<>();
        boolean refine = r.nextBoolean();
        int depth = 1 + r.nextInt(5);
        for (int j = 0; j < depth; j++) {
            GraphBounds.Split s = anchor.split(r, g, ranges);
            if (s == null) {
                break;
            }
            GraphBounds.Ranges from = delta.ranges();
            GraphBounds.Ranges next = RandomGraphs.split(g, from, splits, s, refine, seed);
            delta = RangesDelta.over(delta, from, next);
            ranges = next;
            direct.add(next);
            deltas.add(delta);
            copies.add(copy(next));
        }
        for (int k = 0; k < deltas.size(); k++) {
            same(seed, k, copies.get(k), deltas.get(k).ranges());
            same(seed, k, copies.get(k), direct.get(k));
        }
        return deltas.size() - 1;
    }

    private static GraphBounds.Ranges copy(GraphBounds.Ranges r) {
        Range[] v = new Range[r.values().length];
        double[][] e = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.values()[i] == null ? null : new Range(r.values()[i].lo().clone(), r.values()[i].hi().clone());
            e[i] = r.errors()[i] == null ? null : r.errors()[i].clone();
        }
        return new GraphBounds.Ranges(v, e);
    }

    private static void same(long seed, int depth, GraphBounds.Ranges want, GraphBounds.Ranges got) {
        for (int v = 0; v < want.values().length; v++) {
            String at = "seed " + seed + " depth " + depth + " value " + v + ": ";
            assertEquals(want.values()[v] == null, got.values()[v] == null, at + "presence");
            if (want.values()[v] != null) {
                bits(want.values()[v].lo(), got.values()[v].lo(), at + "lower bounds");
                bits(want.values()[v].hi(), got.values()[v].hi(), at + "upper bounds");
            }
            bits(want.errors()[v], got.errors()[v], at + "error terms");
        }
    }

    private static void bits(double[] want, double[] got, String what) {
        assertEquals(want == null, got == null, what);
        if (want != null) {
            assertEquals(want.length, got.length, what);
            for (int i = 0; i < want.length; i++) {
                assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]), what + " [" + i + "]");
            }
        }
    }
}
