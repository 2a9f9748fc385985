package dev.engram.model.onnx;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.engram.model.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.TypeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.util.Locale;
import java.util.Map;

/**
 * Builds an ONNX model (ir_version 7, opset 13) for a dense network: input float {@code [N,in]}, then per layer
 * MatMul (W stored {@code [in][out]}) + Add, or Gemm (transB=1, W stored {@code [out][in]}), then the activation.
 */
final class DenseToOnnx {

    private DenseToOnnx() {
    }

    static ModelProto build(DenseNetwork net, String inputName, String outputName, boolean gemm,
                            Map<String, String> metadata) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("engram_dense");
        g.addInput(tensorInfo(inputName, 1, net.inputSize()));
        String cur = inputName;
        for (int l = 0; l < net.layers().size(); l++) {
            DenseLayer layer = net.layers().get(l);
            int out = layer.outputSize();
            boolean last = l == net.layers().size() - 1;
            boolean act = layer.activation() != Activation.IDENTITY;
            String lin = last && !act ? outputName : "layer" + l + ".linear";
            linear(g, l, layer, cur, lin, gemm);
            cur = lin;
            if (act) {
                String an = last ? outputName : "layer" + l + ".act";
                g.addNode(activation(l, layer, cur, an));
                if (!last) {
                    g.addValueInfo(tensorInfo(lin, 1, out));
                }
                cur = an;
            }
            if (!last) {
                g.addValueInfo(tensorInfo(cur, 1, out));
            }
        }
        g.addOutput(tensorInfo(outputName, 1, net.outputSize()));
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(7).setProducerName("engram")
                .setProducerVersion("0.1.0").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13));
        if (metadata != null) {
            metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        }
        return m.build();
    }

    /** Layer {@code l}'s weight and bias initializers and its Gemm, or MatMul + Add, from {@code in} to {@code lin}. */
    private static void linear(GraphProto.Builder g, int l, DenseLayer layer, String in, String lin, boolean gemm) {
        int ni = layer.inputSize();
        int out = layer.outputSize();
        String wn = "layer" + l + ".weight";
        String bn = "layer" + l + ".bias";
        if (gemm) {
            g.addInitializer(encode(wn, FloatTensor.matrix(layer.weight()).data(), new long[] {out, ni}));
            g.addInitializer(encode(bn, layer.bias(), new long[] {out}));
            g.addNode(NodeProto.newBuilder().setName("layer" + l + ".gemm").setOpType("Gemm").addInput(in)
                    .addInput(wn).addInput(bn).addOutput(lin)
                    .addAttribute(AttributeProto.newBuilder().setName("transB").setType(2).setI(1)));
            return;
        }
        float[] w = new float[ni * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < ni; i++) {
                w[i * out + o] = layer.weight()[o][i];
            }
        }
        g.addInitializer(encode(wn, w, new long[] {ni, out}));
        g.addInitializer(encode(bn, layer.bias(), new long[] {out}));
        String mm = "layer" + l + ".matmul";
        g.addNode(NodeProto.newBuilder().setName("layer" + l + ".matmul").setOpType("MatMul").addInput(in)
                .addInput(wn).addOutput(mm));
        g.addNode(NodeProto.newBuilder().setName("layer" + l + ".add").setOpType("Add").addInput(mm)
                .addInput(bn).addOutput(lin));
        g.addValueInfo(tensorInfo(mm, 1, out));
    }

    private static NodeProto.Builder activation(int l, DenseLayer layer, String in, String out) {
        NodeProto.Builder nb = NodeProto.newBuilder().setName("layer" + l + "." + layer.activation()
                .name().toLowerCase(Locale.ROOT)).addInput(in).addOutput(out);
        switch (layer.activation()) {
            case RELU -> nb.setOpType("Relu");
            case SIGMOID -> nb.setOpType("Sigmoid");
            case TANH -> nb.setOpType("Tanh");
            case LEAKY_RELU -> nb.setOpType("LeakyRelu").addAttribute(AttributeProto.newBuilder()
                    .setName("alpha").setType(1).setF((float) layer.alpha()));
            default -> throw new IllegalStateException();
        }
        return nb;
    }

    static TensorProto encode(String name, float[] data, long[] dims) {
        return OnnxTensors.encodeInto(TensorProto.newBuilder().setName(name), data, dims);
    }

    /** A float tensor type whose first dimension is the symbolic batch size {@code N}. */
    private static ValueInfoProto tensorInfo(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            s.addDim(i == 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(OnnxTensors.FLOAT).setShape(s))).build();
    }
}
