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
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto;
import dev.engram.verify.Box;
import dev.engram.verify.Property;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard on the dense head of a convolutional network ({@link HeadGuard}), checked by ONNX Runtime on the file as
 * written, against the original file: (1) on the rule's region (sampled densely, corners included) the features the
 * original computes lie in the enclosure the guard was built on, and the written model never decides the forbidden
 * class; (2) outside the region, wherever the features lie outside the features' dilated enclosure, the outputs are
 * bit-identical (up to the sign of a zero) — the guard's exact promise — and the share of decisions unchanged on
 * the domain is reported; (3) the prefix (the convolution) keeps every node and stored bit. Three shapes: a head with a
 * hidden ReLU layer (conv → relu → flatten → dense relu → dense), one without (conv → relu → maxpool → flatten →
 * dense, as in VNN-COMP's verivital networks), and one without whose features can be negative (conv → flatten →
 * dense: the guard puts a signed identity layer in front of the head).
 */
public class HeadGuardTest {
    public static final int SIDE = 6;
    public static final int IN = SIDE * SIDE;
    static final int OUT = 3;

    @ParameterizedTest
    @ValueSource(strings = {"hidden", "pool", "signed"})
    void aGuardOnTheDenseHeadHoldsOnTheRegionAndKeepsThePrefix(String shape) throws Exception {
        boolean hiddenLayer = shape.equals("hidden");
        Random rnd = new Random(hiddenLayer ? 11 : shape.equals("pool") ? 12 : 13);
        Path dir = Files.createTempDirectory("head-guard");
        Path model = dir.resolve("conv.onnx");
        Files.write(model, convModel(rnd, hiddenLayer, !shape.equals("signed")).toByteArray());
        float[] centre = new float[IN];
        for (int i = 0; i < IN; i++) {
            centre[i] = (float) rnd.nextDouble();
        }
        int k = argmax(ort(Files.readAllBytes(model), new float[][] {centre}, "y")[0]);
        double[] lo = new double[IN];
        double[] hi = new double[IN];
        for (int i = 0; i < IN; i++) {
            lo[i] = centre[i] - 0.02;
            hi[i] = centre[i] + 0.02;
        }
        Box region = new Box(lo, hi);
        Obligation.Enforce rule = Obligation.guard("never_k", Obligation.property("never_k", region, Decisions.argmax(k, GuardBitIdentityTest.OUT)),
                0.05);
        Box domain = new Box(new double[IN], filled(1));
        Path out = dir.resolve("guarded.onnx");
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model).setObligations(List.of(rule))
                .optDomain(domain).optDecision(Decision.ARGMAX).optFidelitySamples(300).optTimeout(120).optOut(out)
                .build());
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        assertTrue(r.rules().get(0).unitsAdded() > 0);

        LoadedModel original = Models.load(model);
        HeadSplit split = HeadSplit.of(original);
        Box enclosure = split.enclosure(region, Deadline.NONE);
        double[] delta = HeadGuard.dilation(rule, enclosure);
        byte[] before = Files.readAllBytes(model);
        byte[] after = Files.readAllBytes(out);

        // (1) on the region: features in the enclosure, the forbidden class never decided
        List<float[]> inside = samples(region, rnd, 600, true);
        float[][] x = inside.toArray(new float[0][]);
        float[][] features = ort(before, x, "h");
        float[][] y = ort(after, x, "y");
        for (int s = 0; s < x.length; s++) {
            for (int i = 0; i < features[s].length; i++) {
                assertTrue(features[s][i] >= enclosure.lo()[i] && features[s][i] <= enclosure.hi()[i],
                        "feature " + i + " = " + features[s][i] + " outside the enclosure");
            }
            assertTrue(argmax(y[s]) != k, "class " + k + " decided inside the region at sample " + s);
        }

        // (2) outside the region: bit-identical wherever the features are outside the dilated enclosure
        List<float[]> outside = samples(domain, rnd, 600, false);
        outside.removeIf(p -> GuardBitIdentityTest.inside(p, region));
        float[][] xo = outside.toArray(new float[0][]);
        float[][] fo = ort(before, xo, "h");
        float[][] ya = ort(before, xo, "y");
        float[][] yb = ort(after, xo, "y");
        int same = 0;
        int far = 0;
        for (int s = 0; s < xo.length; s++) {
            same += argmax(ya[s]) == argmax(yb[s]) ? 1 : 0;
            if (distance(fo[s], enclosure, delta) >= 1) {
                far++;
                for (int j = 0; j < OUT; j++) {
                    assertTrue(GuardBitIdentityTest.sameUpToZeroSign(ya[s][j], yb[s][j]),
                            "output " + j + " changed outside the dilated enclosure: " + ya[s][j] + " → " + yb[s][j]);
                }
            }
        }
        assertTrue(far > xo.length / 2, "most domain samples have features far from the region's: " + far);
        assertTrue(same >= 0.95 * xo.length, "decisions unchanged on " + same + " of " + xo.length);
        assertTrue(r.outside().measured());

        // (3) the prefix keeps its bits
        OnnxModel o = (OnnxModel) original;
        OnnxModel w = (OnnxModel) Models.load(out);
        for (String t : List.of("conv.w", "conv.b")) {
            assertEquals(o.rawInitializer(t), w.rawInitializer(t), t + " changed");
        }
        assertEquals(o.proto().getGraph().getNode(0), w.proto().getGraph().getNode(0), "the convolution changed");
    }

    @Test
    void ignoreOnAConvolutionalFirstLayerMasksTheInputExactly() throws Exception {
        Random rnd = new Random(21);
        Path dir = Files.createTempDirectory("conv-ignore");
        Path model = dir.resolve("conv.onnx");
        Files.write(model, convModel(rnd, true).toByteArray());
        int[] slots = {0, 1, 2, 3, 4, 5, 17};
        double[] expected = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25};
        Obligation.Invariance ignore = Obligation.ignore("first_row", slots, expected);
        Path out = dir.resolve("ignoring.onnx");
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model).setObligations(List.of(ignore))
                .optDomain(new Box(new double[IN], filled(1))).optDecision(Decision.ARGMAX).optFidelitySamples(100)
                .optTimeout(60).optOut(out).build());
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());

        // ONNX Runtime: the written model is the original with the slots set to their expected values, bit for bit,
        // whatever the slots hold
        float[][] x = samples(new Box(new double[IN], filled(1)), rnd, 200, false).toArray(new float[0][]);
        float[][] fixed = new float[x.length][];
        float[][] moved = new float[x.length][];
        for (int s = 0; s < x.length; s++) {
            fixed[s] = x[s].clone();
            moved[s] = x[s].clone();
            for (int k = 0; k < slots.length; k++) {
                fixed[s][slots[k]] = (float) expected[k];
                moved[s][slots[k]] = (float) (rnd.nextGaussian() * 100);
            }
        }
        byte[] before = Files.readAllBytes(model);
        byte[] after = Files.readAllBytes(out);
        float[][] want = ort(before, fixed, "y");
        float[][] got = ort(after, x, "y");
        float[][] gotMoved = ort(after, moved, "y");
        for (int s = 0; s < x.length; s++) {
            for (int j = 0; j < OUT; j++) {
                assertTrue(GuardBitIdentityTest.sameUpToZeroSign(want[s][j], got[s][j]), want[s][j] + " vs " + got[s][j]);
                assertTrue(GuardBitIdentityTest.sameUpToZeroSign(got[s][j], gotMoved[s][j]), "depends on a slot");
            }
        }
        // a model whose mask keeps a slot is not proved independent of it
        assertTrue(!dev.engram.validate.GraphProver.prove(Models.load(out).dag(),
                Obligation.ignore("x", new int[] {6}, new double[] {0}), 10).holds());
    }

    /** {@code Σ_i dist(f_i, [lo_i, hi_i]) / δ_i}: at least 1 outside the dilated enclosure, where the guard is 0. */
    static double distance(float[] f, Box box, double[] delta) {
        double s = 0;
        for (int i = 0; i < f.length; i++) {
            s += (Math.max(0, box.lo()[i] - f[i]) + Math.max(0, f[i] - box.hi()[i])) / delta[i];
        }
        return s;
    }

    /** Random points of {@code box}; with {@code corners}, also its vertices' neighbourhood (every side at a face). */
    static List<float[]> samples(Box box, Random rnd, int n, boolean corners) {
        List<float[]> pts = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            float[] p = new float[box.dimension()];
            for (int i = 0; i < p.length; i++) {
                double t = corners && k % 3 == 0 ? (rnd.nextBoolean() ? 0 : 1) : rnd.nextDouble();
                p[i] = (float) Math.min(box.hi()[i], Math.max(box.lo()[i], box.lo()[i] + t * (box.hi()[i] - box.lo()[i])));
                if (p[i] < box.lo()[i]) {
                    p[i] = Math.nextUp(p[i]);
                }
                if (p[i] > box.hi()[i]) {
                    p[i] = Math.nextDown(p[i]);
                }
            }
            pts.add(p);
        }
        return pts;
    }

    public static int argmax(float[] y) {
        int b = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] > y[b]) {
                b = j;
            }
        }
        return b;
    }

    public static double[] filled(double v) {
        double[] a = new double[IN];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /**
     * x [1,1,6,6] → Conv 3×3 (4 channels) → Relu (value h, the features; with no hidden layer: MaxPool 2×2 after it)
     * → Flatten → [Gemm → Relu →] Gemm → y.
     */
    public static OnnxProto.ModelProto convModel(Random rnd, boolean hiddenLayer) {
        return convModel(rnd, hiddenLayer, true);
    }

    /**
     * {@link #convModel(Random, boolean)}, or with {@code reluFeatures} false and no hidden layer: x → Conv (value h,
     * features of either sign) → Flatten → Gemm → y, a head whose input can be negative.
     */
    public static OnnxProto.ModelProto convModel(Random rnd, boolean hiddenLayer, boolean reluFeatures) {
        OnnxProto.GraphProto.Builder g = OnnxProto.GraphProto.newBuilder().setName("conv");
        g.addInput(io("x", 1, 1, SIDE, SIDE)).addOutput(io("y", 1, OUT));
        g.addInitializer(tensor("conv.w", new long[] {4, 1, 3, 3}, rnd, 0.6f));
        g.addInitializer(tensor("conv.b", new long[] {4}, rnd, 0.2f));
        String h = "h";
        g.addNode(node("Conv", "x", reluFeatures ? "c" : h).addInput("conv.w").addInput("conv.b"));
        int width = 4 * 4 * 4;
        if (!reluFeatures) {
            hiddenLayer = false; // conv → flatten → dense
        } else if (hiddenLayer) {
            g.addNode(node("Relu", "c", h));
        } else {
            g.addNode(node("Relu", "c", "r"));
            g.addNode(node("MaxPool", "r", h).addAttribute(ints("kernel_shape", 2, 2)).addAttribute(ints("strides", 2, 2)));
            width = 4 * 2 * 2;
        }
        g.addNode(node("Flatten", h, "f"));
        String prev = "f";
        if (hiddenLayer) {
            g.addInitializer(tensor("fc1.w", new long[] {10, width}, rnd, 0.4f));
            g.addInitializer(tensor("fc1.b", new long[] {10}, rnd, 0.1f));
            g.addNode(node("Gemm", "f", "z1").addInput("fc1.w").addInput("fc1.b").addAttribute(transB()));
            g.addNode(node("Relu", "z1", "a1"));
            prev = "a1";
            width = 10;
        }
        g.addInitializer(tensor("out.w", new long[] {OUT, width}, rnd, 0.5f));
        g.addInitializer(tensor("out.b", new long[] {OUT}, rnd, 0.1f));
        g.addNode(node("Gemm", prev, "y").addInput("out.w").addInput("out.b").addAttribute(transB()));
        return OnnxProto.ModelProto.newBuilder().setIrVersion(7).setProducerName("test")
                .addOpsetImport(OnnxProto.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build();
    }

    private static OnnxProto.NodeProto.Builder node(String op, String in, String out) {
        return OnnxProto.NodeProto.newBuilder().setName(op + "_" + out).setOpType(op).addInput(in).addOutput(out);
    }

    private static OnnxProto.AttributeProto transB() {
        return OnnxProto.AttributeProto.newBuilder().setName("transB").setI(1).setType(2).build();
    }

    private static OnnxProto.AttributeProto ints(String name, long... v) {
        OnnxProto.AttributeProto.Builder a = OnnxProto.AttributeProto.newBuilder().setName(name).setType(7);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static OnnxProto.ValueInfoProto io(String name, long... dims) {
        OnnxProto.TensorShapeProto.Builder s = OnnxProto.TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(OnnxProto.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxProto.ValueInfoProto.newBuilder().setName(name).setType(OnnxProto.TypeProto.newBuilder()
                .setTensorType(OnnxProto.TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
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

    /**
     * ONNX Runtime's value {@code output} (a graph output, or an intermediate value made one) on each row of
     * {@code x}, flattened.
     */
    public static float[][] ort(byte[] model, float[][] x, String output) throws Exception {
        OnnxProto.ModelProto m = OnnxProto.ModelProto.parseFrom(model);
        if (m.getGraph().getOutputList().stream().noneMatch(v -> v.getName().equals(output))) {
            m = m.toBuilder().setGraph(m.getGraph().toBuilder().addOutput(OnnxProto.ValueInfoProto.newBuilder()
                    .setName(output).setType(OnnxProto.TypeProto.newBuilder().setTensorType(
                            OnnxProto.TypeProto.Tensor.newBuilder().setElemType(1))))).build();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(m.toByteArray(), o)) {
            float[][] out = new float[x.length][];
            for (int r = 0; r < x.length; r++) {
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x[r]), new long[] {1, 1, SIDE, SIDE});
                     OrtSession.Result res = s.run(Map.of("x", t), java.util.Set.of(output))) {
                    FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                    out[r] = new float[fb.remaining()];
                    fb.get(out[r]);
                }
            }
            return out;
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime: " + e.getMessage(), e);
        }
    }
}
