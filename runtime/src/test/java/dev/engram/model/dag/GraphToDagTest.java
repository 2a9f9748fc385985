package dev.engram.model.dag;

import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.TypeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the graph reader refuses, and how: the node named with what it lacks, within the limits, quickly. */
class GraphToDagTest {

    static OnnxGraphBuilder graph(long[] dims, Consumer<OnnxGraphBuilder> body) {
        OnnxGraphBuilder b = new OnnxGraphBuilder(13, new Random(1));
        b.input("x", dims);
        body.accept(b);
        return b;
    }

    static String refused(ModelProto m, ModelLimits limits) {
        long t0 = System.nanoTime();
        ModelException e = assertThrows(ModelException.class,
                () -> GraphToDag.build(OnnxModel.of(m).graph(), limits));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "took over 1 s: " + e.getMessage());
        return e.getMessage();
    }

    static String refused(OnnxGraphBuilder b) {
        return refused(b.model(), ModelLimits.defaults());
    }

    static void contains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' not in: " + message);
        }
    }

    @Test
    void unsupportedOperatorsNameThemselvesAndTheNode() {
        String m = refused(graph(new long[] {1, 4}, b -> b.output(b.node("Softmax", "x"))));
        contains(m, "unsupported operator 'Softmax'", "softmax_", "supported: [", "Conv");
        NodeProto custom = NodeProto.newBuilder().setOpType("Gelu").setDomain("com.microsoft").setName("g")
                .addInput("x").addOutput("y").build();
        ModelProto cm = graph(new long[] {1, 4}, b -> b.output("y")).model();
        cm = cm.toBuilder().setGraph(cm.getGraph().toBuilder().addNode(custom)).build();
        contains(refused(cm, ModelLimits.defaults()), "com.microsoft:Gelu", "g (Gelu");
    }

    @Test
    void unneededNodesAreLeftOutLikeOrtDoes() {
        Dag d = GraphToDag.build(graph(new long[] {1, 4}, b -> {
            b.node("Softmax", "x");
            b.output(b.node("Relu", "x"));
        }).onnx().graph(), ModelLimits.defaults());
        assertEquals(1, d.nodes().size());
    }

    @Test
    void unsupportedAttributesAndInputsAreNamed() {
        contains(refused(graph(new long[] {1, 1, 4, 4}, b -> b.output(b.node("Conv", new String[] {"x",
            b.random(1f, 1, 1, 2, 2)}, "foo", 1L)))), "attribute [foo] of Conv is not supported");
        contains(refused(graph(new long[] {1, 1, 4, 4}, b -> b.output(b.node("Conv", new String[] {"x",
            b.random(1f, 1, 1, 2, 2)}, "auto_pad", "SAME_SIDEWAYS")))), "auto_pad 'SAME_SIDEWAYS'");
        contains(refused(graph(new long[] {1, 4}, b -> b.output(b.node("Reshape", new String[] {"x",
            b.node("Relu", "x")})))), "must be a constant");
        contains(refused(graph(new long[] {1, 1, 2, 2, 2}, b -> b.output(b.node("Conv", new String[] {"x",
            b.random(1f, 1, 1, 1, 1, 1)})))), "3 spatial dimensions");
        contains(refused(graph(new long[] {1, 4}, b -> b.output(b.node("Pad", new String[] {"x",
            b.longs(0, -1, 0, 1)}, "mode", "reflect")))), "in mode reflect do not fit");
        contains(refused(graph(new long[] {1, 2}, b -> b.output(b.node("BatchNormalization", new String[] {"x",
            b.random(1f, 2), b.random(1f, 2), b.random(1f, 2), b.random(1f, 2)}, "training_mode", 1L)))),
                "training_mode=1 is not supported");
    }

    @Test
    void usedSecondOutputsAreRefused() {
        ModelProto m = graph(new long[] {1, 1, 4, 4}, b -> b.output(b.node("Relu", "x"))).model();
        NodeProto pool = NodeProto.newBuilder().setOpType("MaxPool").setName("p").addInput("x").addOutput("v")
                .addOutput("idx").addAttribute(dev.engram.model.onnx.proto.OnnxProto.AttributeProto.newBuilder()
                        .setName("kernel_shape").setType(7).addInts(2).addInts(2)).build();
        ModelProto two = m.toBuilder().setGraph(m.getGraph().toBuilder().addNode(pool)
                .addOutput(ValueInfoProto.newBuilder().setName("idx"))).build();
        contains(refused(two, ModelLimits.defaults()), "output 1 ('idx') of MaxPool is used");
        ModelProto one = m.toBuilder().setGraph(m.getGraph().toBuilder().addNode(pool)
                .addOutput(ValueInfoProto.newBuilder().setName("v"))).build();
        assertEquals(2, GraphToDag.build(OnnxModel.of(one).graph(), ModelLimits.defaults()).outputs().size());
    }

    @Test
    void shapesAreCheckedAgainstTheFile() {
        OnnxGraphBuilder b = graph(new long[] {1, 3}, g -> {
        });
        b.output(b.node("MatMul", new String[] {"x", b.random(1f, 3, 2)}), 1, 5);
        contains(refused(b), "of shape [1,2] but the file declares [1,5]");
        contains(refused(graph(new long[] {1, -1}, g -> g.output(g.node("Relu", "x")))),
                "symbolic dimension 1", "only the first");
        contains(refused(graph(new long[] {1, 3}, g -> g.output(g.node("MatMul", new String[] {"x",
            g.random(1f, 4, 2)})))), "do not multiply");
    }

    @Test
    void nodesOutOfOrderAreRefused() {
        ModelProto m = graph(new long[] {1, 3}, b -> b.output(b.node("Relu", b.node("Sigmoid", "x")))).model();
        var g = m.getGraph().toBuilder();
        NodeProto first = g.getNode(0);
        g.setNode(0, g.getNode(1)).setNode(1, first);
        contains(refused(m.toBuilder().setGraph(g).build(), ModelLimits.defaults()), "no earlier node computes");
    }

    @Test
    void hostileSizesAreRefusedBeforeAnythingIsAllocated() {
        contains(refused(graph(new long[] {1, 4}, b -> b.output(b.node("Pad", new String[] {"x",
            b.longs(0, 0, 0, 1L << 40)})))), "exceeds the element cap");
        contains(refused(graph(new long[] {1, 4}, b -> b.output(b.node("Reshape", new String[] {"x",
            b.longs(1L << 31, 1L << 31, 0)})))), "cannot reshape");
        contains(refused(graph(new long[] {1, 1, 4, 4}, b -> b.output(b.node("Conv", new String[] {"x",
            b.random(1f, 1, 1, 2, 2)}, "dilations", new long[] {1L << 40, 1})))), "out of range");
        contains(refused(graph(new long[] {1, 1, 4, 4}, b -> b.output(b.node("MaxPool", "x", "kernel_shape",
                new long[] {9, 9})))), "does not fit");
        contains(refused(graph(new long[] {1, 1L << 40}, b -> b.output(b.node("Relu", "x")))), "element cap");
        ModelLimits small = new ModelLimits(1 << 20, 1000, 100, 16);
        OnnxGraphBuilder wide = graph(new long[] {1, 300}, b -> {
            String y = "x";
            for (int i = 0; i < 4; i++) {
                y = b.node("Relu", y);
            }
            b.output(y);
        });
        contains(refused(wide.model(), small), "would exceed the model's cap of 1000 elements");
    }

    @Test
    void inputsMustBeFloat() {
        ModelProto m = graph(new long[] {1, 3}, b -> b.output(b.node("Relu", "x"))).model();
        var g = m.getGraph().toBuilder();
        g.setInput(0, ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(7).setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3))))));
        contains(refused(m.toBuilder().setGraph(g).build(), ModelLimits.defaults()), "element type 7",
                "float32 inputs only");
    }
}
