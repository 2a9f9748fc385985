package dev.engram.lower;

import dev.engram.Decisions;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto;
import dev.engram.verify.Box;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's promise, checked where it matters: under ONNX Runtime, on the file as written, the patched model's
 * outputs are bit-identical to the original's outside the dilated box (up to the sign of a zero), at random points,
 * a few ulps outside the box's faces, and at huge and tiny inputs; and every existing parameter keeps its bits, also
 * when the graph's {@code Gemm} has alpha and beta other than 1 and the input is shifted by a {@code Sub}.
 */
class GuardBitIdentityTest {
    static final int IN = 3;
    static final int OUT = 3;

    @Test
    void aMatMulChainKeepsItsOutputsAndParametersOutsideTheDilatedBox() throws Exception {
        Path dir = Files.createTempDirectory("guard-bits");
        Path model = dir.resolve("mlp.onnx");
        OnnxModel.fromDense(DenseNetworks.random(new Random(3), "fc", 0.1, IN, 10, 10, OUT), "x", "y", false, Map.of())
                .write(model);
        check(dir, model, false);
    }

    @Test
    void aGemmGraphWithAlphaBetaAndAnInputOffsetKeepsItsBitsToo() throws Exception {
        Path dir = Files.createTempDirectory("guard-bits-gemm");
        Path model = dir.resolve("gemm.onnx");
        Files.write(model, gemmModel(new Random(5)).toByteArray());
        check(dir, model, true);
    }

    private static void check(Path dir, Path model, boolean largeOutputs) throws Exception {
        Box region = new Box(new double[] {0.1, -0.4, -0.2}, new double[] {0.5, 0.2, 0.3});
        Property rule = Obligation.property("never_class_0", region, Decisions.argmax(0, OUT));
        Obligation.Enforce guard = Obligation.guard("never_class_0", rule, 0.05);
        Path out = dir.resolve("patched.onnx");
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model).setObligations(List.of(guard))
                .optDomain(new Box(new double[] {-1, -1, -1}, new double[] {1, 1, 1})).optDecision(Decision.ARGMAX)
                .optFidelitySamples(200).optTimeout(30).optOut(out).build());
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        assertTrue(r.rules().get(0).unitsAdded() > 0, "a guard was added");

        LoadedModel before = Models.load(model);
        LoadedModel after = Models.load(out);
        for (var e : before.parameters().entrySet()) {
            assertTrue(prefixBitEquals(e.getValue(), after.parameters().get(e.getKey())),
                    "existing parameter " + e.getKey() + " changed");
        }
        List<float[]> points = outside(guard.dilatedBox(), new Random(9));
        float[][] x = points.toArray(new float[0][]);
        float[][] a = ort(Files.readAllBytes(model), x);
        float[][] b = ort(Files.readAllBytes(out), x);
        for (int k = 0; k < x.length; k++) {
            assertEquals(a[k].length, b[k].length);
            for (int j = 0; j < a[k].length; j++) {
                assertTrue(sameUpToZeroSign(a[k][j], b[k][j]), "output " + j + " at " + java.util.Arrays.toString(x[k])
                        + ": " + a[k][j] + " became " + b[k][j]);
            }
        }
        // inside the box the rule holds (the guard is there)
        float[] centre = {0.3f, -0.1f, 0.05f};
        float[] y = ort(Files.readAllBytes(out), new float[][] {centre})[0];
        assertTrue(y[0] < Math.max(y[1], y[2]), "class 0 decided inside the box: " + java.util.Arrays.toString(y));
    }

    /** Points outside the dilated box: random, a few ulps outside each face, huge and tiny. */
    static List<float[]> outside(Box d, Random rnd) {
        List<float[]> pts = new ArrayList<>();
        for (int k = 0; k < 400; k++) {
            float[] p = new float[IN];
            for (int i = 0; i < IN; i++) {
                p[i] = (float) (-1 + 2 * rnd.nextDouble());
            }
            if (!inside(p, d)) {
                pts.add(p);
            }
        }
        for (int i = 0; i < IN; i++) {
            for (int side = 0; side < 2; side++) {
                float face = side == 0 ? (float) d.lo()[i] : (float) d.hi()[i];
                float v = face;
                for (int u = 1; u <= 4; u++) {
                    v = side == 0 ? Math.nextDown(v) : Math.nextUp(v);
                    float[] p = new float[IN];
                    for (int j = 0; j < IN; j++) {
                        p[j] = (float) ((d.lo()[j] + d.hi()[j]) / 2);
                    }
                    p[i] = v;
                    if (!inside(p, d)) {
                        pts.add(p);
                    }
                }
            }
        }
        float[] extremes = {3.4e38f, -3.4e38f, Float.MAX_VALUE, -Float.MAX_VALUE, 1e30f, -1e30f, 1e-38f, -1e-45f,
                Float.MIN_VALUE, 1e20f};
        for (float e : extremes) {
            for (int i = 0; i < IN; i++) {
                float[] p = {0.9f, 0.9f, 0.9f};
                p[i] = e;
                if (!inside(p, d)) {
                    pts.add(p);
                }
            }
        }
        return pts;
    }

    static boolean inside(float[] p, Box b) {
        for (int i = 0; i < p.length; i++) {
            if (p[i] < b.lo()[i] || p[i] > b.hi()[i]) {
                return false;
            }
        }
        return true;
    }

    /** Equal bits, or both zero, or both NaN. */
    static boolean sameUpToZeroSign(float a, float b) {
        return Float.floatToIntBits(a) == Float.floatToIntBits(b) || a == 0f && b == 0f;
    }

    /** The old tensor equals the new one's leading block (a guard may widen a tensor, never change old entries). */
    static boolean prefixBitEquals(FloatTensor old, FloatTensor now) {
        if (now == null || old.dims().length != now.dims().length) {
            return false;
        }
        int rank = old.dims().length;
        if (rank == 1) {
            for (int i = 0; i < old.data().length; i++) {
                if (Float.floatToRawIntBits(old.data()[i]) != Float.floatToRawIntBits(now.data()[i])) {
                    return false;
                }
            }
            return true;
        }
        int rows = (int) old.dims()[0];
        int cols = (int) old.dims()[1];
        int nowCols = (int) now.dims()[1];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (Float.floatToRawIntBits(old.data()[r * cols + c]) != Float.floatToRawIntBits(now.data()[r * nowCols + c])) {
                    return false;
                }
            }
        }
        return true;
    }

    /** x → Sub(offset) → Gemm(alpha 0.5, beta 2, transB) → Relu → Gemm → Relu → Gemm → y. */
    static OnnxProto.ModelProto gemmModel(Random rnd) {
        OnnxProto.GraphProto.Builder g = OnnxProto.GraphProto.newBuilder().setName("gemm");
        g.addInput(io("x", IN)).addOutput(io("y", OUT));
        g.addInitializer(tensor("off", new long[] {IN}, rnd, 0.3f));
        g.addNode(OnnxProto.NodeProto.newBuilder().setOpType("Sub").addInput("x").addInput("off").addOutput("x0"));
        int[] widths = {IN, 8, 8, OUT};
        String prev = "x0";
        for (int l = 0; l < 3; l++) {
            g.addInitializer(tensor("W" + l, new long[] {widths[l + 1], widths[l]}, rnd, 0.7f));
            g.addInitializer(tensor("b" + l, new long[] {widths[l + 1]}, rnd, 0.2f));
            String h = "h" + l;
            g.addNode(OnnxProto.NodeProto.newBuilder().setOpType("Gemm").addInput(prev).addInput("W" + l)
                    .addInput("b" + l).addOutput(l == 2 ? "y" : h)
                    .addAttribute(floatAttr("alpha", 0.5f)).addAttribute(floatAttr("beta", 2f))
                    .addAttribute(OnnxProto.AttributeProto.newBuilder().setName("transB").setI(1)
                            .setType(2)));
            if (l < 2) {
                g.addNode(OnnxProto.NodeProto.newBuilder().setOpType("Relu").addInput(h).addOutput("a" + l));
                prev = "a" + l;
            }
        }
        return OnnxProto.ModelProto.newBuilder().setIrVersion(7).setProducerName("test")
                .addOpsetImport(OnnxProto.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build();
    }

    private static OnnxProto.AttributeProto floatAttr(String name, float v) {
        return OnnxProto.AttributeProto.newBuilder().setName(name).setF(v)
                .setType(1).build();
    }

    private static OnnxProto.ValueInfoProto io(String name, int width) {
        OnnxProto.TypeProto.Tensor.Builder t = OnnxProto.TypeProto.Tensor.newBuilder().setElemType(1)
                .setShape(OnnxProto.TensorShapeProto.newBuilder()
                        .addDim(OnnxProto.TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                        .addDim(OnnxProto.TensorShapeProto.Dimension.newBuilder().setDimValue(width)));
        return OnnxProto.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxProto.TypeProto.newBuilder().setTensorType(t)).build();
    }

    private static OnnxProto.TensorProto tensor(String name, long[] dims, Random rnd, float scale) {
        OnnxProto.TensorProto.Builder t = OnnxProto.TensorProto.newBuilder().setName(name).setDataType(1);
        long n = 1;
        for (long d : dims) {
            t.addDims(d);
            n *= d;
        }
        for (long i = 0; i < n; i++) {
            t.addFloatData((float) (scale * rnd.nextGaussian()));
        }
        return t.build();
    }

    static float[][] ort(byte[] model, float[][] inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(model, o)) {
            String in = s.getInputNames().iterator().next();
            float[][] out = new float[inputs.length][];
            for (int r = 0; r < inputs.length; r++) {
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs[r]), new long[] {1, inputs[r].length});
                     OrtSession.Result res = s.run(Map.of(in, t))) {
                    FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                    out[r] = new float[fb.remaining()];
                    fb.get(out[r]);
                }
            }
            return out;
        }
    }
}
