package dev.engram.lower;

import ai.onnxruntime.OrtException;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.RandomNets;
import dev.engram.verify.Verdict;
import dev.engram.verify.monotone.Monotonicity;
import dev.engram.verify.monotone.MonotonicityVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * {@code monotone} compiled on random ReLU networks (1–3 hidden layers of 2–11 units, 1–4 inputs, 1–3 outputs, a
 * random linear form of the outputs): every compilation is proved on the file as read back, and the written file,
 * executed by ONNX Runtime (an independent executor, its own summation order) along 40 lines of 32 points through
 * the region, never lets the objective drop by more than the float32 tolerance of the proof. Most of the networks
 * break the property before (a re-executed counterexample pair), so the lowering is exercised, not just the check.
 */
class MonotoneLoweringProperties {

    @Test
    void everyCompiledMonotonicityHoldsUnderOnnxRuntime(@TempDir Path tmp) {
        int[] counts = new int[2];
        qt().withExamples(30).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int d = 1 + r.nextInt(4);
            int outs = 1 + r.nextInt(3);
            DenseNetwork net = relu(r, d, outs);
            double[] a = new double[outs];
            for (int k = 0; k < outs; k++) {
                a[k] = r.nextGaussian();
            }
            a[r.nextInt(outs)] += 1;
            double[] lo = new double[d];
            double[] hi = new double[d];
            java.util.Arrays.fill(lo, -1);
            java.util.Arrays.fill(hi, 1);
            Box box = new Box(lo, hi);
            Monotonicity m = new Monotonicity("m", InputRegion.of(box), a, r.nextInt(d));
            if (MonotonicityVerifier.verify(net, m, 10).verdict() instanceof Verdict.Sat) {
                counts[0]++;
            }
            counts[1]++;
            try {
                Path in = tmp.resolve("net" + seed + ".onnx");
                Path out = tmp.resolve("out" + seed + ".onnx");
                OnnxModel.fromDense(net, "input", "output", false, null).write(in);
                CompileResult cr = Compiler.compile(CompileRequest.builder().setModel(in).optDomain(box)
                        .setObligations(List.of(new Obligation.Monotone("m", Span.NONE, m, "x"))).optOut(out)
                        .optTimeout(120).build());
                assertTrue(cr.proved(), "not proved: " + cr.diagnostics() + " " + cr.message());
                DenseNetwork back = Models.load(out).dense();
                MonotonicityVerifier.Result proof = MonotonicityVerifier.verify(back, m, 20);
                assertTrue(proof.verdict() instanceof Verdict.Unsat);
                assertNoDrop(Files.readAllBytes(out), m, proof.tolerance(), r);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        System.out.printf("monotone lowering: %d of %d violated before, all proved after%n", counts[0], counts[1]);
        assertTrue(counts[0] > counts[1] / 4, "too few violated networks: " + counts[0]);
    }

    private static void assertNoDrop(byte[] model, Monotonicity m, double tolerance, Random r) throws OrtException {
        Box b = m.box();
        int s = m.slot();
        List<float[]> xs = new ArrayList<>();
        for (int line = 0; line < 40; line++) {
            float[] base = new float[b.dimension()];
            for (int i = 0; i < base.length; i++) {
                base[i] = (float) (b.lo()[i] + r.nextDouble() * (b.hi()[i] - b.lo()[i]));
            }
            for (int k = 0; k < 32; k++) {
                float[] x = base.clone();
                x[s] = (float) (b.lo()[s] + (b.hi()[s] - b.lo()[s]) * k / 31);
                xs.add(x);
            }
        }
        float[][] ys = GuardBitIdentityTest.ort(model, xs.toArray(new float[0][]));
        for (int line = 0; line < 40; line++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 32; k++) {
                double v = m.value(ys[line * 32 + k]);
                assertTrue(max - v <= tolerance, "ONNX Runtime: drop " + (max - v) + " beyond " + tolerance);
                max = Math.max(max, v);
            }
        }
    }

    static DenseNetwork relu(Random r, int in, int outs) {
        return RandomNets.relu(r, in, outs, 1, 3, 2, 11);
    }
}
