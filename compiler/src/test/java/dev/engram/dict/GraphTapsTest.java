package dev.engram.dict;

import dev.engram.model.Models;
import dev.engram.model.dag.Dag;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.data.ArrayData;
import dev.engram.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Taps on a CNN's graph nodes: every tapped layer equals the graph executor's value of that node (computed by a DAG
 * whose output is the node itself), and the last layer equals the whole graph's output.
 */
class GraphTapsTest {

    @Test
    void tapsEqualTheExecutorsIntermediateValues(@TempDir Path tmp) {
        ConceptFixtures f = ConceptFixtures.createCnn(tmp);
        OnnxModel model = (OnnxModel) Models.load(f.model());
        LayerTaps taps = LayerTaps.of(model);
        GraphSplit split = taps.split();
        assertTrue(split != null, "a CNN is split");
        // conv0.relu (4x4x4 = 64), then the cut (the head's input: conv1.relu's 32 values, which the flatten relays),
        // then dense 12 and 4 logits
        assertEquals(List.of("conv0.relu", "conv1.relu"), split.taps().stream().map(GraphSplit.Tap::value).toList());
        assertEquals(2, taps.offset());
        assertEquals(4, taps.depth());
        assertEquals(64, taps.width(1));
        assertEquals(32, taps.width(2));
        assertEquals(12, taps.width(3));
        Dataset d = ArrayData.load(f.test(), ConceptFixtures.CLASSES).head(100);
        float[][][] acts = taps.run(d.x(), d.rows(), taps.depth());
        Dag dag = model.dag();
        for (int l = 1; l <= taps.offset(); l++) {
            String name = split.taps().get(l - 1).value();
            int v = value(dag, name);
            Dag upTo = new Dag("tap", dag.inputs(), dag.nodes().subList(0, v - dag.inputs().size() + 1),
                    List.of(new Dag.Output(name, v)));
            float[][] expected = new GraphExecutor(upTo).run(d.x());
            for (int r = 0; r < d.rows(); r++) {
                assertArrayEquals(expected[r], acts[l][r], "layer " + l + " (" + name + "), row " + r);
            }
        }
        float[][] out = new GraphExecutor(dag).run(d.x());
        double max = 0;
        for (int r = 0; r < d.rows(); r++) {
            for (int k = 0; k < out[r].length; k++) {
                max = Math.max(max, Math.abs(out[r][k] - acts[taps.depth()][r][k]));
            }
        }
        System.out.println("cnn taps: outputs through the taps vs the graph executor, max |diff| " + max);
        assertTrue(max < 1e-5, "outputs agree: " + max);
        assertArrayEquals(acts[taps.depth()][0], taps.runFrom(0, new float[][] {d.x()[0]})[0]);
    }

    private static int value(Dag dag, String name) {
        for (int v = 0; v < dag.valueCount(); v++) {
            if (dag.valueName(v).equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no value " + name);
    }
}
