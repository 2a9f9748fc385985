package dev.engram.model.onnx;

import dev.engram.model.ModelException;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

/**
 * A constant mask in front of a model's input: {@code x' = x · keep + fill}, two new nodes ({@code Mul}, then
 * {@code Add}) that every former reader of the input reads instead. With {@code keep_i = 1, fill_i = 0} an input is
 * kept bit for bit ({@code x · 1 + 0 = x} in float32, up to the sign of a zero); with {@code keep_i = 0} it is
 * replaced by {@code fill_i} for every finite value ({@code ±0 + fill_i = fill_i}, and {@code −0 + 0 = +0}). Every
 * existing node and initializer keeps its bits.
 */
final class OnnxInputMask {
    static final String PREFIX = "engram.mask";

    private OnnxInputMask() {
    }

    /** {@code proto} with the mask in front of its one input (per-sample size {@code keep.length}). */
    static ModelProto insert(ModelProto proto, String input, float[] keep, float[] fill) {
        GraphProto.Builder g = proto.getGraph().toBuilder();
        ValueInfoProto in = g.getInputList().stream().filter(v -> v.getName().equals(input)).findFirst()
                .orElseThrow(() -> new ModelException("no graph input named '" + input + "'"));
        TensorShapeProto shape = in.getType().getTensorType().getShape();
        long[] dims = new long[Math.max(1, shape.getDimCount())];
        long size = 1;
        dims[0] = 1;
        for (int d = 1; d < shape.getDimCount(); d++) {
            dims[d] = shape.getDim(d).getDimValue();
            size *= dims[d];
        }
        if (shape.getDimCount() < 2 || size != keep.length || fill.length != keep.length) {
            throw new ModelException("input '" + input + "' has " + size + " values per sample, the mask "
                    + keep.length);
        }
        String p = PREFIX;
        if (g.getNodeList().stream().anyMatch(n -> n.getOutputList().contains(PREFIX + ".out"))) {
            throw new ModelException("the model already has an input mask; apply every 'ignore' at once");
        }
        g.addInitializer(DenseToOnnx.encode(p + ".keep", keep, dims));
        g.addInitializer(DenseToOnnx.encode(p + ".fill", fill, dims));
        for (int k = 0; k < g.getNodeCount(); k++) {
            NodeProto n = g.getNode(k);
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(input)) {
                    g.setNode(k, g.getNode(k).toBuilder().setInput(i, p + ".out"));
                }
            }
        }
        for (int o = 0; o < g.getOutputCount(); o++) {
            if (g.getOutput(o).getName().equals(input)) {
                throw new ModelException("input '" + input + "' is also an output; it cannot be masked");
            }
        }
        g.addNode(0, NodeProto.newBuilder().setName(p + ".add").setOpType("Add").addInput(p + ".kept")
                .addInput(p + ".fill").addOutput(p + ".out").build());
        g.addNode(0, NodeProto.newBuilder().setName(p + ".mul").setOpType("Mul").addInput(input)
                .addInput(p + ".keep").addOutput(p + ".kept").build());
        return proto.toBuilder().setGraph(g).build();
    }
}
