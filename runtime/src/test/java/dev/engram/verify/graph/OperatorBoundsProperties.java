package dev.engram.verify.graph;

import dev.engram.model.dag.OnnxGraphBuilder;
import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * Soundness per operator: graphs of a single operator (with a scaled input so that values of every size occur) on
 * random boxes; the executed outputs (our executor and ONNX Runtime) lie inside the interval bounds and above every
 * linear lower bound, exactly ({@link GraphBoundsProperties#check}).
 */
class OperatorBoundsProperties {
    private static final String[] OPS = {"Conv", "MaxPool", "AveragePool", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
        "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Residual", "Transpose", "Pad", "Concat"};

    @Test
    void everyOperatorAlone() {
        for (String op : OPS) {
            try {
                GraphBoundsProperties.property(8, r -> single(op, r));
            } catch (AssertionError e) {
                throw new AssertionError(op + ": " + e.getMessage(), e);
            }
        }
    }

    static OnnxGraphBuilder single(String op, Random r) {
        OnnxGraphBuilder b = new OnnxGraphBuilder(13, r);
        int c = 1 + r.nextInt(3);
        int h = 2 + r.nextInt(5);
        int w = 2 + r.nextInt(5);
        String x = b.input("x", 1, c, h, w);
        float scale = (float) Math.pow(10, r.nextInt(7) - 3);
        String y = b.node("Mul", new String[] {x, b.floats(new float[] {scale}, 1)});
        y = switch (op) {
            case "Conv" -> conv(b, r, y, c);
            case "MaxPool", "AveragePool" -> b.node(op, new String[] {y}, "kernel_shape", new long[] {2, 2},
                    "strides", new long[] {1 + r.nextInt(2), 1 + r.nextInt(2)}, "pads", new long[] {0, r.nextInt(2), 0,
                        r.nextInt(2)});
            case "LeakyRelu" -> b.node(op, y, "alpha", 0.1f);
            case "Gemm" -> b.node("Gemm", new String[] {b.node("Flatten", y, "axis", 1L),
                b.random(0.5f, 1 + r.nextInt(4), c * h * w), b.random(0.5f, 1)}, "transB", 1L, "alpha", 0.5f);
            case "MatMul" -> b.node("MatMul", new String[] {y, b.random(0.5f, w, 1 + r.nextInt(4))});
            case "Add", "Sub", "Mul", "Div" -> b.node(op, new String[] {y, b.random(2f, w)});
            case "Residual" -> b.node("Add", new String[] {y, b.node("Relu", y)});
            case "Transpose" -> b.node("Transpose", y, "perm", new long[] {0, 3, 1, 2});
            case "Pad" -> b.node("Pad", new String[] {y, b.longs(0, 0, 1, 0, 0, 0, 0, 1)});
            case "Concat" -> b.node("Concat", new String[] {y, b.node("Sigmoid", y)}, "axis", 1L);
            default -> b.node(op, y);
        };
        b.output(y);
        return b;
    }

    private static String conv(OnnxGraphBuilder b, Random r, String y, int c) {
        int co = 1 + r.nextInt(3);
        return b.node("Conv", new String[] {y, b.random(0.5f, co, c, 2, 2), b.random(0.3f, co)},
                "pads", new long[] {r.nextInt(2), 0, r.nextInt(2), 1}, "strides", new long[] {1 + r.nextInt(2), 1});
    }
}
