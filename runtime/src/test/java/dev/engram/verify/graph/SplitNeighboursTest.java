package dev.engram.verify.graph;

import dev.engram.model.ModelLimits;
import dev.engram.model.dag.Dag;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The split's float32 error term in {@link SplitNeighbours}: a point on the split's side only because float32 rounds
 * its sum stays in the narrowed box. Sampling cannot show this (the difference is an ulp), so the point is made: in
 * {@code z = x0 + x1 - 1} at {@code x = (1 - 2^-24, 2^-25)} the exact value is {@code -2^-25 < 0}, while float32
 * rounds {@code 1 - 2^-24 + 2^-25} to 1 (a tie, to even) and executes {@code z = 0}: the split {@code z >= 0} holds
 * there as executed. Propagated in real arithmetic, the split would raise {@code x0}'s lower bound to about
 * {@code 1 - 2^-25} and cut that point away. (The point sits on the bound of the input with the large term: the
 * outward float32 widening of the other inputs' boxes is too small to hide the rounding.)
 */
class SplitNeighboursTest {

    @Test
    void aPointOnlyFloat32PutsOnTheSplitsSideStaysInTheNarrowedBox() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder(13, new Random(1));
        String x = b.input("x", 1, 2);
        String z = b.node("Gemm", new String[] {x, b.floats(new float[] {1f, 1f}, 1, 2), b.floats(new float[] {-1f}, 1)},
                "transB", 1L);
        b.output(b.node("Relu", z));
        Dag dag = OnnxModel.parse(b.bytes(), null, null, ModelLimits.defaults()).dag();
        float[] p = {1f - 0x1p-24f, 0x1p-25f};
        float executed = RandomGraphs.valueAt(dag, 1, new float[][] {p})[0][0];
        assertTrue(executed >= 0, "the executor should round the sum up to 0, got " + executed);
        assertTrue((double) p[0] + p[1] - 1 < 0, "the exact value is below 0");

        GraphBounds g = GraphBounds.of(dag);
        assertInstanceOf(AffineOp.class, g.ops().get(0), "the Gemm is an affine operator");
        Box box = new Box(new double[] {0.5, 0}, new double[] {1, 0x1p-25});
        GraphBounds.Split s = new GraphBounds.Split(1, 0, true);
        GraphBounds.Ranges clamped = g.withSplit(g.ranges(box, Deadline.NONE), s);
        assertNotNull(clamped);
        GraphBounds.Ranges out = SplitNeighbours.narrow(g, clamped, s, Double.POSITIVE_INFINITY);
        assertNotNull(out, "p meets the split, so the subdomain is not empty");
        Range in = out.values()[0];
        assertTrue(in.lo()[0] > 1 - 1e-5, "the split narrows x0's box (from 0.5), got " + in.lo()[0]);
        for (int i = 0; i < p.length; i++) {
            assertTrue(in.lo()[i] <= p[i] && p[i] <= in.hi()[i], "x" + i + " = " + p[i] + " outside the narrowed ["
                    + in.lo()[i] + ", " + in.hi()[i] + "]");
        }
    }
}
