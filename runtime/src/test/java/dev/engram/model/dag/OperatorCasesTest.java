package dev.engram.model.dag;

import dev.engram.model.ModelLimits;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Corner cases of each operator's semantics, each against ONNX Runtime: pooling windows that overhang with
 * {@code ceil_mode}, the divisor with {@code count_include_pad}, transposed and constant-left Gemm, 1-D MatMul
 * operands and broadcast batches, every Pad mode, constants on the left of Sub and Div, Concat with a constant,
 * squeezes, default attributes, a graph output that is an input.
 */
class OperatorCasesTest {

    /** Builds a graph on input x of {@code dims} with {@code body}, and compares it with ORT. */
    static void ort(int opset, long[] dims, Consumer<OnnxGraphBuilder> body) {
        OnnxGraphBuilder b = new OnnxGraphBuilder(opset, new Random(5));
        b.input("x", dims);
        body.accept(b);
        GraphOrtProperties.check(b, 5);
    }

    @Test
    void averagePoolOverhangingWindows() {
        for (long countPad : new long[] {0, 1}) {
            for (long pad : new long[] {0, 1}) {
                ort(13, new long[] {1, 2, 5, 6}, b -> b.output(b.node("AveragePool", "x", "kernel_shape",
                        new long[] {2, 3}, "strides", new long[] {2, 2}, "pads", new long[] {pad, 0, pad, pad},
                        "ceil_mode", 1L, "count_include_pad", countPad)));
            }
        }
    }

    @Test
    void ceilModeWindowLongerThanTheInput() {
        // kernel 2 over a height of 1: ONNX Runtime's ceil mode keeps one window that starts inside and runs past
        for (String op : new String[] {"AveragePool", "MaxPool"}) {
            ort(13, new long[] {1, 3, 1, 3}, b -> b.output(b.node(op, "x", "kernel_shape", new long[] {2, 1},
                    "strides", new long[] {2, 1}, "ceil_mode", 1L)));
            ort(13, new long[] {1, 2, 1, 4}, b -> b.output(b.node(op, "x", "kernel_shape", new long[] {3, 2},
                    "strides", new long[] {3, 2}, "ceil_mode", 1L)));
        }
    }

    @Test
    void maxPoolCeilModeAndDilations() {
        ort(13, new long[] {1, 1, 7, 7}, b -> b.output(b.node("MaxPool", "x", "kernel_shape", new long[] {2, 2},
                "strides", new long[] {2, 2}, "ceil_mode", 1L)));
        ort(13, new long[] {1, 2, 7, 8}, b -> b.output(b.node("MaxPool", "x", "kernel_shape", new long[] {2, 2},
                "dilations", new long[] {2, 1}, "pads", new long[] {1, 1, 0, 1})));
        ort(13, new long[] {1, 2, 9}, b -> b.output(b.node("MaxPool", "x", "kernel_shape", new long[] {3},
                "auto_pad", "SAME_LOWER", "strides", new long[] {2})));
    }

    @Test
    void gemmTransposedAndConstantLeft() {
        ort(13, new long[] {5, 1}, b -> b.output(b.node("Gemm", new String[] {"x", b.random(1f, 3, 5),
            b.random(1f, 3)}, "transA", 1L, "transB", 1L, "alpha", 0.5f, "beta", 3f)));
        ort(13, new long[] {4, 3}, b -> b.output(b.node("Gemm", new String[] {b.random(1f, 2, 4), "x",
            b.random(1f, 2, 1)})));
        ort(13, new long[] {3, 4}, b -> b.output(b.node("Gemm", new String[] {b.random(1f, 4, 2), "x",
            b.random(1f, 2, 3)}, "transA", 1L, "transB", 1L)));
        ort(13, new long[] {2, 3}, b -> b.output(b.node("Gemm", new String[] {"x", "x"}, "transB", 1L)));
    }

    @Test
    void matMulShapes() {
        ort(13, new long[] {4}, b -> b.output(b.node("MatMul", new String[] {"x", b.random(1f, 4, 3)})));
        ort(13, new long[] {4}, b -> b.output(b.node("MatMul", new String[] {b.random(1f, 3, 4), "x"})));
        ort(13, new long[] {2, 3, 4}, b -> b.output(b.node("MatMul", new String[] {"x", b.random(1f, 4, 5)})));
        ort(13, new long[] {2, 4, 3}, b -> b.output(b.node("MatMul", new String[] {b.random(1f, 5, 4), "x"})));
        ort(13, new long[] {2, 1, 3, 4}, b -> b.output(b.node("MatMul", new String[] {"x",
            b.random(1f, 1, 3, 4, 2)})));
        ort(13, new long[] {1, 3, 4}, b -> {
            String t = b.node("Transpose", "x", "perm", new long[] {0, 2, 1});
            b.output(b.node("MatMul", new String[] {t, "x"}));
        });
    }

    @Test
    void padModes() {
        for (String mode : new String[] {"constant", "reflect", "edge", "wrap"}) {
            ort(19, new long[] {1, 2, 3, 4}, b -> b.output(b.node("Pad", new String[] {"x",
                b.longs(0, 0, 2, 0, 0, 1, 1, 3), b.floats(new float[] {-2f}), ""}, "mode", mode)));
        }
        ort(19, new long[] {1, 2, 3, 4}, b -> b.output(b.node("Pad", new String[] {"x",
            b.longs(0, -1, 2, -1, 0, 1, -1, 3)}, "mode", "constant")));
        ort(18, new long[] {1, 2, 3, 4}, b -> b.output(b.node("Pad", new String[] {"x", b.longs(1, 1, 0, 1), "",
            b.longs(-1, 1)}, "mode", "reflect")));
        ort(10, new long[] {1, 3, 4}, b -> b.output(b.node("Pad", "x", "pads", new long[] {0, 1, 2, 0, 0, 1},
                "value", 1.5f)));
    }

    @Test
    void constantsOnEitherSideAndBroadcast() {
        ort(13, new long[] {1, 3, 2}, b -> {
            String y = b.node("Div", new String[] {b.random(1f, 3, 1), "x"});
            y = b.node("Sub", new String[] {b.random(1f, 2), y});
            y = b.node("Mul", new String[] {y, b.random(1f, 2, 1, 1, 1)});
            b.output(b.node("Add", new String[] {y, b.node("Relu", "x")}));
        });
    }

    @Test
    void shapeOperators() {
        ort(13, new long[] {1, 2, 1, 3}, b -> {
            String y = b.node("Squeeze", "x");
            y = b.node("Unsqueeze", new String[] {y, b.longs(-1, 1)});
            y = b.node("Concat", new String[] {y, b.random(1f, 2, 1, 3, 1), y}, "axis", -2L);
            y = b.node("Transpose", y);
            y = b.node("Dropout", new String[] {y, b.floats(new float[] {0.3f})});
            y = b.node("Flatten", y, "axis", 2L);
            b.output(b.node("LeakyRelu", b.node("Reshape", new String[] {y, b.longs(0, -1)})));
        });
        ort(11, new long[] {1, 4}, b -> {
            b.output(b.node("Identity", "x"));
            b.output(b.node("Squeeze", "x", "axes", new long[] {0}));
        });
    }

    @Test
    void depthwiseAndOneDimensionalConvolutions() {
        ort(13, new long[] {1, 4, 9}, b -> b.output(b.node("Conv", new String[] {"x", b.random(1f, 8, 1, 3),
            b.random(1f, 8)}, "group", 4L, "pads", new long[] {1, 2}, "dilations", new long[] {2})));
        ort(13, new long[] {1, 3, 6, 7}, b -> b.output(b.node("Conv", new String[] {"x", b.random(1f, 3, 1, 3, 3)},
                "group", 3L, "strides", new long[] {2, 3}, "auto_pad", "SAME_UPPER")));
    }

    @Test
    void inputThatIsAnOutputAndTwoOutputs() {
        OnnxGraphBuilder b = new OnnxGraphBuilder(13, new Random(1));
        b.input("x", 1, 3);
        b.output("x", 1, 3);
        b.output(b.node("Sigmoid", "x"));
        Dag d = OnnxModel.parse(b.bytes(), null, null, ModelLimits.defaults()).dag();
        float[] x = {1f, -2f, 3f};
        var y = new dev.engram.model.exec.GraphExecutor(d).runAll(java.util.List.of(x), 1, 1);
        assertEquals(2, y.size());
        assertEquals(-2f, y.get(0)[1]);
        assertEquals((float) (1 / (1 + Math.exp(2))), y.get(1)[1]);
    }
}
