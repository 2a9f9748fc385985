package dev.engram.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.patch.Patch;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code engram compile --enforce} end to end on a violating ACAS Xu network: the rule is proved on the patched
 * model, ONNX Runtime runs the written file like our executor (to float rounding), gives bit-identical
 * outputs to the original's outside the rule's dilated box, the original is untouched, the patch
 * reverts bit-identically, and an independent {@code engram verify} agrees.
 */
class CompileCommandTest {

    static float[][] ort(Path model, float[][] xs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            String in = s.getInputNames().iterator().next();
            float[][] out = new float[xs.length][];
            for (int k = 0; k < xs.length; k++) {
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(xs[k]), new long[] {1, 1, 1, 5});
                     OrtSession.Result res = s.run(Map.of(in, t))) {
                    out[k] = ((float[][]) res.get(0).getValue())[0];
                }
            }
            return out;
        }
    }

    @Test
    void enforceProperty2OnAViolatingNetwork() throws Exception {
        Path data = ModelCommandsTest.shared();
        Path model = data.resolve("acasxu/onnx/ACASXU_run2a_2_1_batch_2000.onnx");
        Path prop = data.resolve("acasxu/vnnlib/prop_2.vnnlib");
        assumeTrue(Files.isRegularFile(model) && Files.isRegularFile(prop), "ACAS Xu data not found");
        byte[] before = Files.readAllBytes(model);
        Path tmp = Files.createTempDirectory("compile");
        Path out = tmp.resolve("patched.onnx");
        Path patch = tmp.resolve("p.epatch");
        Path report = tmp.resolve("r.json");
        ModelCommandsTest.Run r = ModelCommandsTest.engram("compile", "--model", model.toString(), "--enforce",
                prop.toString(), "--out", out.toString(), "--patch", patch.toString(), "--report", report.toString());
        System.out.print("[compile] " + r.out());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(model)), "the input model was modified");
        String json = Files.readString(report);
        assertTrue(json.contains("\"verdict\": \"unsat\"") && json.contains("\"proved\": true"), json);

        // ONNX Runtime on the written file agrees with the executor on the patched network
        DenseNetwork net = Models.load(out).dense();
        Random rnd = new Random(3);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(out.toString(), new OrtSession.SessionOptions())) {
            String in = s.getInputNames().iterator().next();
            double maxDiff = 0;
            for (int k = 0; k < 200; k++) {
                float[] x = new float[5];
                for (int i = 0; i < 5; i++) {
                    x[i] = (float) (k % 2 == 0 ? rnd.nextDouble() - 0.5
                            : new double[] {0.63, 0, 0, 0.475, -0.475}[i] + 0.02 * rnd.nextGaussian());
                }
                float[] ours = net.evaluate(x);
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 1, 1, 5});
                     OrtSession.Result res = s.run(Map.of(in, t))) {
                    float[] ort = ((float[][]) res.get(0).getValue())[0];
                    for (int j = 0; j < 5; j++) {
                        maxDiff = Math.max(maxDiff, Math.abs(ort[j] - ours[j]));
                    }
                }
            }
            System.out.println("[compile] ORT vs executor on the patched model: max |diff| = " + maxDiff);
            assertTrue(maxDiff < 1e-5, "max diff " + maxDiff);
        }
        // ONNX Runtime: outside the box dilated by 1 % of its widths, the outputs are the original's, bit for bit
        double[] lo = {0.6, -0.5, -0.5, 0.45, -0.5};
        double[] hi = {0.679857769, 0.5, 0.5, 0.5, -0.45};
        float[][] xs = new float[400][5];
        for (int k = 0; k < xs.length; k++) {
            int face = rnd.nextInt(5);
            for (int i = 0; i < 5; i++) {
                xs[k][i] = (float) (lo[i] + (hi[i] - lo[i]) * rnd.nextDouble());
            }
            // a few ulps beyond the dilated face, or further out
            double d = 0.01 * (hi[face] - lo[face]) + (k % 3 == 0 ? 0 : 0.05 * rnd.nextDouble());
            float v = k % 2 == 0 ? (float) (lo[face] - d) : (float) (hi[face] + d);
            for (int u = 0; u < 3; u++) {
                v = k % 2 == 0 ? Math.nextDown(v) : Math.nextUp(v);
            }
            xs[k][face] = v;
        }
        float[][] a = ort(model, xs);
        float[][] b = ort(out, xs);
        for (int k = 0; k < xs.length; k++) {
            for (int j = 0; j < 5; j++) {
                assertTrue(Float.floatToIntBits(a[k][j]) == Float.floatToIntBits(b[k][j]) || a[k][j] == 0 && b[k][j] == 0,
                        "outside the dilated box at " + java.util.Arrays.toString(xs[k]) + ": " + a[k][j] + " became "
                                + b[k][j]);
            }
        }
        // the patch reverts to the original parameters bit for bit
        var reverted = Patch.read(patch).revert(Models.load(out));
        var original = Models.load(model);
        for (String n : original.parameters().keySet()) {
            assertTrue(original.parameters().get(n).bitEquals(reverted.parameters().get(n)), n);
        }
        ModelCommandsTest.Run v = ModelCommandsTest.engram("verify", "--model", out.toString(), "--vnnlib",
                prop.toString(), "--timeout", "60");
        assertTrue(v.out().startsWith("unsat"), v.out());
    }

    /**
     * {@code --timeout} limits the whole compilation: a repair of a large random network (400 inputs, two layers of
     * 300 ReLUs: sampling alone takes seconds) given one second stops with E063 and exit 3, soon after the limit
     * (asserted loosely: the machine is shared), and writes neither the model nor the patch nor a temporary file.
     */
    @Test
    void aTinyTimeoutStopsTheCompilationAndWritesNothing() throws Exception {
        Path tmp = Files.createTempDirectory("compile-timeout");
        Random rnd = new Random(11);
        int d = 400;
        Path model = tmp.resolve("big.onnx");
        dev.engram.model.onnx.OnnxModel.fromDense(dev.engram.model.DenseNetworks.random(rnd, "fc", 0.1, d, 300, 300, 2),
                "x", "y", true, Map.of()).write(model);
        StringBuilder vnn = new StringBuilder();
        for (int i = 0; i < d; i++) {
            vnn.append("(declare-const X_").append(i).append(" Real)\n");
        }
        vnn.append("(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n");
        for (int i = 0; i < d; i++) {
            vnn.append("(assert (>= X_").append(i).append(" -1))\n(assert (<= X_").append(i).append(" 1))\n");
        }
        Path prop = Files.writeString(tmp.resolve("p.vnnlib"), vnn.append("(assert (<= Y_0 Y_1))\n"));
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        long t0 = System.nanoTime();
        ModelCommandsTest.Run r = ModelCommandsTest.engram("compile", "--model", model.toString(), "--enforce",
                prop.toString(), "--strategy", "repair", "--timeout", "1", "--out", outDir.resolve("p.onnx").toString(),
                "--patch", outDir.resolve("p.epatch").toString());
        double wall = (System.nanoTime() - t0) / 1e9;
        System.out.printf(java.util.Locale.ROOT, "[compile] --timeout 1 on %d inputs: exit %d after %.2f s%n", d,
                r.code(), wall);
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("error[E063]: the time limit ran out before"), r.err());
        assertTrue(wall < 1 + 5, "returned after " + wall + " s");
        try (var left = Files.list(outDir)) {
            assertEquals(java.util.List.of(), left.toList(), "nothing may be written");
        }
    }
}
