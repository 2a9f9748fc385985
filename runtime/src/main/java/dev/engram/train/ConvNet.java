package dev.engram.train;

import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.engram.model.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.TypeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.util.List;
import java.util.Map;

/**
 * A trained small CNN in float32, as {@link CnnTrainer} leaves it: 3×3 convolutions (stride 2, padding 1, ReLU) on a
 * {@code channels × height × width} image, a flatten, ReLU dense layers and a linear output layer of logits. Weights
 * are stored as ONNX stores them: a convolution's {@code [out][in][3][3]}, a dense layer's {@code [out][in]} with its
 * inputs in the flatten's {@code C·H·W} order.
 *
 * @param channels input channels, then each convolution's output channels
 * @param height   input height
 * @param width    input width
 * @param convW    per convolution, its weight {@code [out][in][3][3]} flattened
 * @param convB    per convolution, its bias
 * @param denseW   per dense layer, its weight {@code [out][in]} flattened
 * @param denseB   per dense layer, its bias
 * @param widths   the flatten's width, then each dense layer's output width
 */
public record ConvNet(int[] channels, int height, int width, List<float[]> convW, List<float[]> convB,
                      List<float[]> denseW, List<float[]> denseB, int[] widths) {

    public ConvNet {
        convW = List.copyOf(convW);
        convB = List.copyOf(convB);
        denseW = List.copyOf(denseW);
        denseB = List.copyOf(denseB);
    }

    /** Kernel size, stride and padding of every convolution. */
    public static final int KERNEL = 3;
    public static final int STRIDE = 2;
    public static final int PAD = 1;

    /** The spatial size after a convolution of size {@code n}. */
    public static int convolved(int n) {
        return (n + 2 * PAD - KERNEL) / STRIDE + 1;
    }

    /** The model as ONNX (ir_version 7, opset 13): input {@code [N,C,H,W]}, output {@code [N,classes]} logits. */
    public OnnxModel toOnnx(String inputName, String outputName, Map<String, String> metadata) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("engram_cnn");
        g.addInput(info(inputName, channels[0], height, width));
        String cur = inputName;
        int h = height;
        int w = width;
        for (int l = 0; l < convW.size(); l++) {
            int in = channels[l];
            int out = channels[l + 1];
            String wn = "conv" + l + ".weight";
            String bn = "conv" + l + ".bias";
            g.addInitializer(OnnxModel.encode(wn, convW.get(l), new long[] {out, in, KERNEL, KERNEL}));
            g.addInitializer(OnnxModel.encode(bn, convB.get(l), new long[] {out}));
            String z = "conv" + l + ".out";
            g.addNode(NodeProto.newBuilder().setName("conv" + l).setOpType("Conv").addInput(cur).addInput(wn)
                    .addInput(bn).addOutput(z)
                    .addAttribute(ints("kernel_shape", KERNEL, KERNEL))
                    .addAttribute(ints("strides", STRIDE, STRIDE))
                    .addAttribute(ints("pads", PAD, PAD, PAD, PAD)));
            h = convolved(h);
            w = convolved(w);
            String a = "conv" + l + ".relu";
            g.addNode(NodeProto.newBuilder().setName("conv" + l + ".relu").setOpType("Relu").addInput(z)
                    .addOutput(a));
            g.addValueInfo(info(z, out, h, w));
            g.addValueInfo(info(a, out, h, w));
            cur = a;
        }
        g.addNode(NodeProto.newBuilder().setName("flatten").setOpType("Flatten").addInput(cur).addOutput("flat")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(2)
                        .setI(1)));
        g.addValueInfo(info("flat", widths[0]));
        cur = "flat";
        for (int l = 0; l < denseW.size(); l++) {
            boolean last = l == denseW.size() - 1;
            String wn = "dense" + l + ".weight";
            String bn = "dense" + l + ".bias";
            g.addInitializer(OnnxModel.encode(wn, denseW.get(l), new long[] {widths[l + 1], widths[l]}));
            g.addInitializer(OnnxModel.encode(bn, denseB.get(l), new long[] {widths[l + 1]}));
            String z = last ? outputName : "dense" + l + ".out";
            g.addNode(NodeProto.newBuilder().setName("dense" + l).setOpType("Gemm").addInput(cur).addInput(wn)
                    .addInput(bn).addOutput(z).addAttribute(AttributeProto.newBuilder().setName("transB")
                            .setType(2).setI(1)));
            cur = z;
            if (!last) {
                String a = "dense" + l + ".relu";
                g.addNode(NodeProto.newBuilder().setName(a).setOpType("Relu").addInput(z).addOutput(a));
                g.addValueInfo(info(z, widths[l + 1]));
                g.addValueInfo(info(a, widths[l + 1]));
                cur = a;
            }
        }
        g.addOutput(info(outputName, widths[widths.length - 1]));
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(7).setProducerName("engram")
                .setProducerVersion("0.1.0").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13));
        if (metadata != null) {
            metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        }
        return OnnxModel.of(m.build());
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(7);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    /** A float tensor type whose first dimension is the symbolic batch size {@code N}. */
    private static ValueInfoProto info(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }
}
