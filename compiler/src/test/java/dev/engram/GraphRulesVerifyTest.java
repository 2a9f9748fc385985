package dev.engram;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Outcome;
import dev.engram.lower.HeadGuardTest;
import dev.engram.model.onnx.proto.OnnxProto;
import dev.engram.verify.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code engram verify --rules} on models that are not dense chains: every rule, property and {@code ignore} is
 * decided on the whole graph as executed, and every {@code sat} is checked by ONNX Runtime on the model file.
 */
public class GraphRulesVerifyTest {

    /**
     * VNN-COMP's {@code Convnet_maxpool}: a specification VNN-COMP expects {@code unsat} holds, one it expects
     * {@code sat} is violated with a counterexample ONNX Runtime confirms (some class scores at least the label's),
     * and {@code ignore} of the first pixel is violated (ONNX Runtime: moving that pixel moves the outputs).
     */
    @Test
    void verivitalSpecificationsAndAnIgnoreOnTheWholeGraph(@TempDir Path tmp) throws Exception {
        Path v = SharedData.path().resolve("vnncomp2021/verivital");
        Path model = v.resolve("Convnet_maxpool.onnx");
        assumeTrue(Files.isRegularFile(model), "verivital not found under " + v.toAbsolutePath()
                + " (set -Dengram.shared.data)");
        Path rules = tmp.resolve("conv.engram");
        Files.writeString(rules, "model \"" + model.toAbsolutePath() + "\"\n"
                + "input p0 at 0 in [0, 1]\n"
                + "import vnnlib \"" + v.resolve("specs/maxpool_specs/prop_0_0.004.vnnlib").toAbsolutePath()
                + "\" as property p0_holds\n"
                + "import vnnlib \"" + v.resolve("specs/maxpool_specs/prop_14_0.004.vnnlib").toAbsolutePath()
                + "\" as property p14_violated\n"
                + "ignore p0\n");
        VerifyResult r = Engram.verify(VerifyRequest.builder().setModel(model).optRules(rules).optTimeout(120).build());
        assertEquals(Outcome.NOT_PROVED, r.outcome(), r.diagnostics().toString());
        assertEquals(3, r.checked().size(), r.checked().toString());
        byte[] bytes = Files.readAllBytes(model);
        for (VerifyResult.Checked c : r.checked()) {
            switch (c.name()) {
                case "p0_holds" -> assertInstanceOf(Verdict.Unsat.class, c.verdict(), c.toString());
                case "p14_violated" -> {
                    Verdict.Sat sat = assertInstanceOf(Verdict.Sat.class, c.verdict(), c.toString());
                    float[] y = ort(bytes, toFloat(sat.input()));
                    boolean beaten = false;
                    for (int j = 0; j < y.length; j++) {
                        beaten |= j != 8 && y[j] >= y[8]; // prop_14: label 8
                    }
                    assertTrue(beaten, "ONNX Runtime: the counterexample keeps label 8 on top");
                }
                default -> {
                    Verdict.Sat sat = assertInstanceOf(Verdict.Sat.class, c.verdict(), c.toString());
                    assertTrue(dependsOnSlot(bytes, toFloat(sat.input()), 0), "ONNX Runtime: no output moves with p0");
                }
            }
        }
    }

    /**
     * A random conv net: {@code ignore} of a pixel is violated as given (ONNX Runtime confirms the dependence at the
     * witness) and holds on the model compiled with it (the input mask, proved on the graph read back).
     */
    @Test
    void anIgnoreOnAConvNetIsViolatedBeforeAndHoldsAfterCompiling(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("conv.onnx");
        Files.write(model, HeadGuardTest.convModel(new Random(5), true).toByteArray());
        Path rules = tmp.resolve("ignore.engram");
        Files.writeString(rules, "model \"conv.onnx\"\ninput p7 at 7 in [0, 1]\nignore p7\n");
        VerifyResult before = Engram.verify(VerifyRequest.builder().setModel(model).optRules(rules).optTimeout(30)
                .build());
        assertEquals(Outcome.NOT_PROVED, before.outcome(), before.diagnostics().toString());
        Verdict.Sat sat = assertInstanceOf(Verdict.Sat.class, before.checked().get(0).verdict());
        assertTrue(dependsOnSlot(Files.readAllBytes(model), toFloat(sat.input()), 7), "ONNX Runtime: no dependence");

        Path out = tmp.resolve("ignoring.onnx");
        CompileResult c = Engram.compile(CompileRequest.builder().optRules(rules).optOut(out)
                .optFidelitySamples(100).optTimeout(60).build());
        assertTrue(c.proved(), c.diagnostics() + " " + c.rules());
        VerifyResult after = Engram.verify(VerifyRequest.builder().setModel(out).optRules(rules).optTimeout(30)
                .build());
        assertEquals(Outcome.OK, after.outcome(), after.diagnostics().toString());
        assertInstanceOf(Verdict.Unsat.class, after.checked().get(0).verdict());
        assertTrue(!dependsOnSlot(Files.readAllBytes(out), toFloat(sat.input()), 7), "ONNX Runtime: still depends");
    }

    /**
     * A monotonicity on a conv net: {@code engram verify --rules} leaves it undecided, {@code engram compile} answers
     * E062 at the statement, naming what would be needed, and writes nothing.
     */
    @Test
    void aMonotonicityOnAConvNetIsUndecidedAndNotCompiled(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("conv.onnx");
        Files.write(model, HeadGuardTest.convModel(new Random(6), true).toByteArray());
        Path rules = tmp.resolve("mono.engram");
        Files.writeString(rules, "model \"conv.onnx\"\ninput p7 at 7 in [0, 1]\noutput a at 0\n"
                + "monotone a increasing in p7\n");
        VerifyResult v = Engram.verify(VerifyRequest.builder().setModel(model).optRules(rules).optTimeout(10).build());
        assertEquals(Outcome.UNDECIDED, v.outcome(), v.diagnostics() + " " + v.checked());
        Path out = tmp.resolve("mono.onnx");
        CompileResult c = Engram.compile(CompileRequest.builder().optRules(rules).optOut(out).optFidelitySamples(50)
                .optTimeout(30).build());
        assertEquals(Outcome.NOT_PROVED, c.outcome(), c.diagnostics().toString());
        var e062 = c.diagnostics().stream().filter(d -> d.code() == dev.engram.diag.DiagnosticCode.E062).findFirst()
                .orElseThrow(() -> new AssertionError(c.diagnostics().toString()));
        assertEquals(4, e062.span().start().line(), e062.toString());
        assertTrue(e062.message().contains("graph monotonicity verifier"), e062.message());
        assertTrue(!Files.exists(out), "nothing is written");
    }

    /** Whether ONNX Runtime's outputs at {@code x} change when slot {@code s} takes one of 21 other values. */
    static boolean dependsOnSlot(byte[] model, float[] x, int s) throws Exception {
        float[] y = ort(model, x);
        for (int k = 0; k <= 20; k++) {
            float[] z = x.clone();
            z[s] = k / 20f;
            if (!java.util.Arrays.equals(y, ort(model, z))) {
                return true;
            }
        }
        return false;
    }

    /** ONNX Runtime's first output on one input, shaped as the model's first input declares. */
    public static float[] ort(byte[] model, float[] x) throws Exception {
        OnnxProto.ModelProto m = OnnxProto.ModelProto.parseFrom(model);
        OnnxProto.ValueInfoProto in = m.getGraph().getInput(0);
        long[] shape = in.getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(d -> d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : 1).toArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
             OrtSession s = env.createSession(model, o);
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result res = s.run(Map.of(in.getName(), t), Set.of(m.getGraph().getOutput(0).getName()))) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            float[] y = new float[fb.remaining()];
            fb.get(y);
            return y;
        }
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
