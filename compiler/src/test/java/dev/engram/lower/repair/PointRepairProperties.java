package dev.engram.lower.repair;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.Robustness;
import dev.engram.ir.SampleDomain;
import dev.engram.verify.RandomNets;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.MilpOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The local repair ({@code Strategy.LOCAL}) on random ReLU classifiers (1–3 hidden layers of 3–12 units, 2–6 inputs
 * in [0, 1], 2–4 classes): 1–4 random inputs, each given a label its network does not decide, as points or as L∞
 * balls of radius 0.01. Every compilation that succeeds is checked by independent oracles on the file as written:
 * ONNX Runtime executes each point (the label must win strictly), and an exact MILP (SCIP, real arithmetic) finds no
 * input of a ball where another output reaches the label's. A compilation that does not succeed must say why with
 * {@code E062}; most must succeed.
 */
public class PointRepairProperties {

    @Test
    void repairedPointsAndBallsHoldUnderIndependentOracles(@TempDir Path tmp) {
        int[] done = new int[2];
        qt().withFixedSeed(2026).withExamples(24).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 2 + r.nextInt(5);
            int classes = 2 + r.nextInt(3);
            DenseNetwork net = relu(r, d, classes);
            boolean balls = r.nextBoolean();
            double eps = balls ? 0.01 : 0;
            List<Obligation> obs = new ArrayList<>();
            List<float[]> xs = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                float[] x = new float[d];
                double[] lo = new double[d];
                double[] hi = new double[d];
                for (int i = 0; i < d; i++) {
                    x[i] = (float) (0.1 + 0.8 * r.nextDouble());
                    lo[i] = x[i] - eps;
                    hi[i] = x[i] + eps;
                }
                int label = (argmax(net.evaluate(x)) + 1 + r.nextInt(classes - 1)) % classes;
                xs.add(x);
                labels.add(label);
                obs.add(new Obligation.Enforce("p" + k, Span.NONE, Robustness.property("p" + k, new Box(lo, hi),
                        label, classes), Obligation.Strategy.LOCAL, null));
            }
            List<float[]> keep = new ArrayList<>();
            for (int s = 0; s < 200; s++) {
                float[] x = new float[d];
                for (int i = 0; i < d; i++) {
                    x[i] = r.nextFloat();
                }
                keep.add(x);
            }
            try {
                Path in = tmp.resolve("net" + seed + ".onnx");
                Path out = tmp.resolve("out" + seed + ".onnx");
                OnnxModel.fromDense(net, "input", "output", false, null).write(in);
                CompileResult cr = Compiler.compile(CompileRequest.builder().setModel(in).setObligations(obs)
                        .optDomain(SampleDomain.of(unit(d)).withData(keep)).optDecision(Decision.ARGMAX)
                        .optOut(out).optTimeout(120).build());
                done[1]++;
                if (!cr.proved()) {
                    assertTrue(cr.diagnostics().stream().anyMatch(g -> g.code() == DiagnosticCode.E062),
                            "not proved without E062: " + cr.diagnostics());
                    System.out.println("local repair not applied: " + cr.diagnostics().get(0).message());
                    return;
                }
                done[0]++;
                DenseNetwork back = Models.load(out).dense();
                for (int k = 0; k < xs.size(); k++) {
                    Obligation.Enforce e = (Obligation.Enforce) obs.get(k);
                    if (balls) {
                        double slack = MilpOracle.maxSlackOfUnion(back, e.box(), e.property().unsafe(), 30);
                        assertTrue(slack < 0, "MILP: ball " + k + " reaches another class (slack " + slack + ")");
                    } else {
                        float[] y = ort(out, xs.get(k));
                        for (int j = 0; j < y.length; j++) {
                            assertTrue(j == labels.get(k) || y[labels.get(k)] > y[j],
                                    "ONNX Runtime: point " + k + " not classified as " + labels.get(k));
                        }
                    }
                }
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        System.out.printf("local repair: %d of %d compiled and confirmed by the oracles%n", done[0], done[1]);
        assertTrue(done[0] >= done[1] * 3 / 4, "too few repaired: " + done[0] + " of " + done[1]);
    }

    private static Box unit(int d) {
        double[] lo = new double[d];
        double[] hi = new double[d];
        java.util.Arrays.fill(hi, 1);
        return new Box(lo, hi);
    }

    private static int argmax(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] > y[k]) {
                k = j;
            }
        }
        return k;
    }

    /** The outputs ONNX Runtime computes for {@code x} on the file {@code model}. */
    public static float[] ort(Path model, float[] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{1, x.length});
             OrtSession.Result res = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            float[] y = new float[fb.remaining()];
            fb.get(y);
            return y;
        }
    }

    private static DenseNetwork relu(Random r, int in, int outs) {
        return RandomNets.relu(r, in, outs, 1, 3, 3, 12);
    }
}
