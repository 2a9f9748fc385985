package dev.engram.model.dag;

import com.google.protobuf.ByteString;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.AttributeProto;
import dev.engram.model.onnx.proto.OnnxProto.GraphProto;
import dev.engram.model.onnx.proto.OnnxProto.ModelProto;
import dev.engram.model.onnx.proto.OnnxProto.NodeProto;
import dev.engram.model.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorShapeProto;
import dev.engram.model.onnx.proto.OnnxProto.TypeProto;
import dev.engram.model.onnx.proto.OnnxProto.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Writes small ONNX graphs for tests: inputs, float/int64 initializers, nodes with attributes, outputs. */
public final class OnnxGraphBuilder {
    private final GraphProto.Builder g;
    private final int opset;
    private final Random rnd;
    private int names;

    public OnnxGraphBuilder(int opset, Random rnd) {
        this(GraphProto.newBuilder().setName("test"), opset, rnd);
    }

    private OnnxGraphBuilder(GraphProto.Builder g, int opset, Random rnd) {
        this.g = g;
        this.opset = opset;
        this.rnd = rnd;
    }

    /** A builder holding a copy of this graph so far (names continue apart). */
    public OnnxGraphBuilder copy() {
        OnnxGraphBuilder c = new OnnxGraphBuilder(g.clone(), opset, rnd);
        c.names = names + 100_000;
        return c;
    }

    /** The dims of the first input (-1 for a symbolic one). */
    public long[] inputDims() {
        var s = g.getInput(0).getType().getTensorType().getShape();
        long[] d = new long[s.getDimCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.getDim(i).hasDimValue() ? s.getDim(i).getDimValue() : -1;
        }
        return d;
    }

    public int opset() {
        return opset;
    }

    /** A fresh value name. */
    public String fresh(String prefix) {
        return prefix + (names++);
    }

    /** A float input of the given dims; a negative first dimension is the symbolic batch {@code N}. */
    public String input(String name, long... dims) {
        g.addInput(info(name, dims));
        return name;
    }

    public void output(String name, long... dims) {
        g.addOutput(info(name, dims));
    }

    /** An output without a declared shape. */
    public void output(String name) {
        g.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))));
    }

    public String floats(float[] data, long... dims) {
        String name = fresh("c");
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        g.addInitializer(t);
        return name;
    }

    /** A random float initializer, Gaussian times {@code scale}. */
    public String random(float scale, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * scale;
        }
        return floats(v, dims);
    }

    public String longs(long... data) {
        String name = fresh("i");
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(data.length);
        for (long v : data) {
            t.addInt64Data(v);
        }
        g.addInitializer(t);
        return name;
    }

    /** The value the last node computes. */
    public String last() {
        return g.getNode(g.getNodeCount() - 1).getOutput(0);
    }

    /** Adds a node; {@code attrs} alternate names and values (Long, Float, String, long[], float[]). */
    public String node(String op, String[] inputs, Object... attrs) {
        String out = fresh(op.toLowerCase() + "_");
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(fresh("n")).addOutput(out);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (int i = 0; i < attrs.length; i += 2) {
            n.addAttribute(attr((String) attrs[i], attrs[i + 1]));
        }
        g.addNode(n);
        return out;
    }

    public String node(String op, String input, Object... attrs) {
        return node(op, new String[] {input}, attrs);
    }

    private static AttributeProto attr(String name, Object v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(2).setI(l);
        } else if (v instanceof Integer i) {
            a.setType(2).setI(i);
        } else if (v instanceof Float f) {
            a.setType(1).setF(f);
        } else if (v instanceof String s) {
            a.setType(3).setS(ByteString.copyFromUtf8(s));
        } else if (v instanceof long[] ls) {
            a.setType(7);
            for (long l : ls) {
                a.addInts(l);
            }
        } else if (v instanceof float[] fs) {
            a.setType(6);
            for (float f : fs) {
                a.addFloats(f);
            }
        } else {
            throw new IllegalArgumentException("attribute " + name + ": " + v);
        }
        return a.build();
    }

    private static ValueInfoProto info(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    public ModelProto model() {
        return ModelProto.newBuilder().setIrVersion(opset >= 13 ? 7 : 6).setProducerName("engram-test")
                .setGraph(g).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    public byte[] bytes() {
        return model().toByteArray();
    }

    public OnnxModel onnx() {
        return OnnxModel.of(model());
    }
}
