package dev.engram.model.onnx;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelException;
import dev.engram.model.graph.DenseExtraction;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;

import java.util.List;

/**
 * New dense layers inserted into an ONNX chain ({@link DenseLayer#isInserted()}): each becomes a
 * {@code MatMul → Add → Relu} (a linear one {@code MatMul → Add}) between two existing layers, with its own initializers (at first its leading block, at
 * the model's widths; the caller then writes the network's values, wider, into the grown graph); every existing node
 * and initializer is left as it was, except that the next layer now reads the new layer's output.
 */
final class OnnxInsertions {
    private OnnxInsertions() {
    }

    /**
     * {@code proto} with the inserted layers of {@code net} added; the other layers of {@code net} must be the
     * extraction's, in order. Only ReLU and linear layers can be inserted (before the first layer only where its input is non-negative: the caller's
     * proof).
     */
    static ModelProto insert(ModelProto proto, DenseExtraction ex, DenseNetwork net) {
        GraphProto.Builder g = proto.getGraph().toBuilder();
        int old = 0;
        for (int j = 0; j < net.layers().size(); j++) {
            DenseLayer layer = net.layers().get(j);
            if (!layer.isInserted()) {
                old++;
                continue;
            }
            if (old >= ex.layers().size()) {
                throw new ModelException("a layer can only be inserted before a layer of the model");
            }
            if (layer.activation() != Activation.RELU && layer.activation() != Activation.IDENTITY) {
                throw new ModelException("only ReLU and linear layers can be inserted, not " + layer.activation());
            }
            int in = old == 0 ? ex.network().inputSize() : ex.network().layers().get(old - 1).outputSize();
            int out = ex.network().layers().get(old).inputSize();
            if (layer.inputSize() < in || layer.outputSize() < out) {
                throw new ModelException("inserted layer " + layer.name() + " is narrower than the model's layers");
            }
            insertBefore(g, ex.layers().get(old), layer, j, in, out);
        }
        if (old != ex.layers().size()) {
            throw new ModelException("the network has " + old + " of the model's " + ex.layers().size() + " layers");
        }
        return proto.toBuilder().setGraph(g).build();
    }

    /**
     * Adds {@code layer} right before the node that reads the weight of {@code next}, cut to the model's widths
     * ({@code in} inputs, {@code out} units: its leading block), so that the grown graph is consistent before the
     * network's values, widths included, are written into it.
     */
    private static void insertBefore(GraphProto.Builder g, DenseExtraction.LayerSource next, DenseLayer layer, int j,
                                     int width, int out) {
        int at = -1;
        for (int k = 0; k < g.getNodeCount() && at < 0; k++) {
            if (g.getNode(k).getInputList().contains(next.weightName())) {
                at = k;
            }
        }
        if (at < 0 || next.weightName() == null) {
            throw new ModelException("cannot find where layer " + next.nodeName() + " reads its input");
        }
        NodeProto reader = g.getNode(at);
        int slot = reader.getInputList().indexOf(next.weightName()) == 0 ? 1 : 0;
        String in = reader.getInput(slot);
        String p = "engram.inserted." + j;
        float[] w = new float[width * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < width; i++) {
                w[i * out + o] = layer.weight()[o][i];
            }
        }
        g.addInitializer(DenseToOnnx.encode(p + ".weight", w, new long[] {width, out}));
        g.addInitializer(DenseToOnnx.encode(p + ".bias", java.util.Arrays.copyOf(layer.bias(), out), new long[] {out}));
        boolean relu = layer.activation() == Activation.RELU;
        List<NodeProto> added = new java.util.ArrayList<>(List.of(
                NodeProto.newBuilder().setName(p + ".matmul").setOpType("MatMul").addInput(in)
                        .addInput(p + ".weight").addOutput(p + ".mm").build(),
                NodeProto.newBuilder().setName(p + ".add").setOpType("Add").addInput(p + ".mm")
                        .addInput(p + ".bias").addOutput(relu ? p + ".pre" : p + ".out").build()));
        if (relu) {
            added.add(NodeProto.newBuilder().setName(p + ".relu").setOpType("Relu").addInput(p + ".pre")
                    .addOutput(p + ".out").build());
        }
        g.setNode(at, reader.toBuilder().setInput(slot, p + ".out"));
        for (int k = added.size() - 1; k >= 0; k--) {
            g.addNode(at, added.get(k));
        }
    }
}
