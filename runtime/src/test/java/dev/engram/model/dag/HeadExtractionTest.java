package dev.engram.model.dag;

import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.FloatTensor;
import dev.engram.model.ModelException;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.graph.DenseExtractor;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dense head of a graph that is not a dense chain ({@link DenseExtractor#extractHead}): on random conv → pool →
 * dense graphs it reads the trailing Gemm from the value the prefix computes (a value of the graph as executed, of
 * the head's input size, with the model's output size), and writing the head back unchanged keeps every parameter's
 * bits; a dense chain has no head to split off.
 */
class HeadExtractionTest {

    @Test
    void theHeadOfAConvPoolDenseGraphIsItsTrailingGemm() {
        int read = 0;
        for (int seed = 0; seed < 40; seed++) {
            OnnxModel m = GraphOrtProperties.convPoolDense(new Random(seed)).onnx();
            DenseExtraction h;
            try {
                h = DenseExtractor.extractHead(m.graph());
            } catch (ModelException e) {
                assertTrue(e.getMessage().contains("bias"), "seed " + seed + ": " + e.getMessage());
                continue; // a broadcast Gemm bias the dense view does not read
            }
            read++;
            Dag dag = m.dag();
            int value = -1;
            for (int v = 0; v < dag.valueCount(); v++) {
                value = dag.valueName(v).equals(h.inputName()) ? v : value;
            }
            assertTrue(value > 0, "seed " + seed + ": the head's input is a computed value of the graph");
            assertEquals(dag.shape(value).size(), h.network().inputSize(), "seed " + seed);
            assertEquals(dag.shape(dag.outputs().get(0).value()).size(), h.network().outputSize(), "seed " + seed);
            OnnxModel same = m.withHead(m.head());
            for (Map.Entry<String, FloatTensor> e : m.parameters().entrySet()) {
                FloatTensor now = same.parameters().get(e.getKey());
                assertTrue(Arrays.equals(e.getValue().dims(), now.dims()), e.getKey());
                for (int i = 0; i < now.data().length; i++) {
                    assertEquals(Float.floatToRawIntBits(e.getValue().data()[i]),
                            Float.floatToRawIntBits(now.data()[i]), e.getKey() + "[" + i + "]");
                }
            }
        }
        assertTrue(read >= 20, "heads read on " + read + " of 40 graphs");
    }

    @Test
    void aDenseChainHasNoPrefixToSplitOff() {
        DenseNetwork net = DenseNetworks.random(new Random(1), "fc", 0.1, 3, 5, 2);
        OnnxModel m = OnnxModel.fromDense(net, "x", "y", true, Map.of());
        ModelException e = assertThrows(ModelException.class, () -> DenseExtractor.extractHead(m.graph()));
        assertTrue(e.getMessage().contains("no prefix"), e.getMessage());
        assertEquals(m.dense().layers().size(), m.head().layers().size());
    }
}
