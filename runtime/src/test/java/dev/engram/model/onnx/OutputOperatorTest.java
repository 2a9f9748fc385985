package dev.engram.model.onnx;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.TestData;
import dev.engram.model.exec.DenseExecutor;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dense view computes exactly what the graph outputs: a normalising operator at the output is refused with
 * its node named (never dropped, which would make properties about {@code Y_j} talk about logits), and an
 * element-wise activation at the output is part of the network the executor runs, as ONNX Runtime does.
 */
class OutputOperatorTest {

    static final DenseNetwork NET = TestData.randomMlp(new Random(7), new int[] {3, 5, 4}, Activation.RELU);

    /** The network's graph with {@code op} appended at the output, as node {@code final_op}. */
    static OnnxModel withOutputOp(String op) {
        ModelProto m = OnnxModel.fromDense(NET, "x", "logits", false, Map.of()).proto();
        GraphProto.Builder g = m.getGraph().toBuilder();
        g.addNode(NodeProto.newBuilder().setName("final_op").setOpType(op).addInput("logits").addOutput("y"));
        g.setOutput(0, g.getOutput(0).toBuilder().setName("y"));
        return OnnxModel.parse(m.toBuilder().setGraph(g).build().toByteArray(), null, null, ModelLimits.defaults());
    }

    @Test
    void normalisingOutputOperatorsAreRefusedNamingTheNode() {
        for (String op : List.of("Softmax", "LogSoftmax", "Hardmax")) {
            ModelException e = assertThrows(ModelException.class, () -> withOutputOp(op).dense(), op);
            System.out.println("[output-op] " + e.getMessage());
            assertTrue(e.getMessage().contains("final_op") && e.getMessage().contains(op)
                    && e.getMessage().contains("Y_j"), e.getMessage());
        }
    }

    @Test
    void anElementWiseOutputActivationIsExecutedAsOnnxRuntimeDoes() throws Exception {
        for (String op : List.of("Sigmoid", "Tanh", "Relu")) {
            OnnxModel m = withOutputOp(op);
            DenseNetwork net = m.dense();
            DenseLayer last = net.layers().get(net.layers().size() - 1);
            assertEquals(Activation.valueOf(op.equals("Relu") ? "RELU" : op.toUpperCase()), last.activation(), op);
            float[][] x = TestData.randomInputs(new Random(2), 64, 3, 4f);
            double d = TestData.maxAbsDiff(new DenseExecutor(net).run(x), TestData.ort(m.toBytes(), x));
            assertTrue(d < 1e-5, op + ": executor and ONNX Runtime differ by " + d);
        }
    }
}
