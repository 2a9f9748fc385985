package dev.engram.verify;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.TestData;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * {@code unsat} holds for the network as executed in float32, in any summation order: on adversarial-rounding
 * networks ({@link AdversarialNets}: large cancelling activations, huge fan-in, mixed scales, thresholds within
 * rounding of the maximum) the verifier never answers {@code unsat} where the {@link Float32Oracle} finds a float32
 * execution in the unsafe set, and ONNX Runtime's own execution (MatMul+Add and Gemm graphs) never lands in the unsafe set either. The generator is not vacuous: float32-only
 * violations (the real-arithmetic output is safe) must occur, and a verifier reasoning in real arithmetic answers
 * {@code unsat} on them. A bigger run: {@code bench/run runtime dev.engram.bench.Float32SoundnessBench}.
 */
public class Float32SoundnessProperties {

    /** Outcome counts of one run, printed and checked for non-vacuity. */
    public static final class Tally {
        public int cases;
        int sat;
        int unsat;
        int undecided;
        int floatOnly;
        int ortChecked;

        @Override
        public String toString() {
            return String.format("%d cases: %d sat, %d unsat, %d undecided; %d with float32-only violations; "
                    + "%d unsat verdicts re-checked under ONNX Runtime", cases, sat, unsat, undecided, floatOnly,
                    ortChecked);
        }
    }

    @Test
    void unsatHoldsInEveryFloat32SummationOrder() {
        Tally tally = new Tally();
        qt().withExamples(30).withShrinkCycles(0).forAll(longs().all())
                .checkAssert(seed -> check(seed, 0.25, 600, 512, 32, tally));
        System.out.println("[float32] " + tally);
        assertTrue(tally.floatOnly > 0, "the generator should produce float32-only violations");
        assertTrue(tally.unsat > 0, "some cases should be proved");
    }

    /**
     * A case the verifier before the error model (commit c89aaf0) answered {@code unsat}:
     * {@code y = relu(5548 x − 912) − 19 relu(292 x − 48)} is 0 in real arithmetic on the whole box, yet ONNX Runtime
     * computes {@code y = −6.7e-4}, below the threshold {@code −5.9e-4}, at {@code x = 1.5199311}.
     */
    @Test
    void jiaRinardCaseIsNotProved() throws Exception {
        DenseNetwork net = new DenseNetwork(List.of(
                new DenseLayer("hidden", new float[][] {{5548f}, {292f}}, new float[] {-912f, -48f}, Activation.RELU, 0,
                        null, null),
                new DenseLayer("out", new float[][] {{1f, -19f}}, new float[] {0f}, Activation.IDENTITY, 0, null, null)));
        Box box = new Box(new double[] {1.5179011720647568}, new double[] {1.647689704333755});
        Property p = new Property("cancel", InputRegion.of(box),
                List.of(List.of(new LinearConstraint(new double[] {1}, -5.947405310716934E-4))));
        float[] x = {1.5199311f};
        float[] y = TestData.ort(OnnxModel.fromDense(net, "input", "output", false, Map.of()).toBytes(),
                new float[][] {x})[0];
        assertTrue(Float32Oracle.unsafe(p, y), "ONNX Runtime violates the property: y = " + y[0]);
        assertTrue(Float32Oracle.exact(net, x)[0].signum() == 0, "real arithmetic gives 0");
        Verdict v = BranchAndBoundVerifier.create().verify(net, p, new VerifyOptions(2, 2, 1));
        assertTrue(!(v instanceof Verdict.Unsat), "the property does not hold in float32");
    }

    /**
     * One case: verify, then search the box densely in every order (and, for proved cases, under ONNX Runtime);
     * a float32 violation of a proved property fails.
     */
    public static void check(long seed, double timeout, int maxPairs, int perAxis1d, int perAxis2d, Tally tally) {
        AdversarialNets.Case c = AdversarialNets.generate(seed, maxPairs);
        Verdict v = BranchAndBoundVerifier.create().verify(c.net(), c.property(), new VerifyOptions(timeout, 2, seed));
        int perAxis = c.box().dimension() == 1 ? perAxis1d : perAxis2d;
        Float32Oracle.Violation found = Float32Oracle.search(c.net(), c.property(), c.box(), perAxis);
        synchronized (tally) {
            tally.cases++;
            if (found != null && found.realSafe()) {
                tally.floatOnly++;
            }
            if (v instanceof Verdict.Sat) {
                tally.sat++;
            } else if (v instanceof Verdict.Unsat) {
                tally.unsat++;
            } else {
                tally.undecided++;
            }
        }
        if (v instanceof Verdict.Sat s) {
            float[] x = new float[s.input().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) s.input()[i];
            }
            assertTrue(Float32Oracle.unsafe(c.property(), Float32Oracle.evaluate(c.net(), x,
                    Float32Oracle.Order.SEQUENTIAL)), "seed " + seed + ": witness is not a violation");
        }
        if (!(v instanceof Verdict.Unsat)) {
            return;
        }
        assertTrue(found == null, () -> "seed " + seed + " (" + c.kind() + "): unsat, but " + found.order()
                + " at x = " + java.util.Arrays.toString(found.input()) + " gives y = "
                + java.util.Arrays.toString(found.output()) + " (real arithmetic safe: " + found.realSafe() + ")");
        assertOrtSafe(c, seed, perAxis);
        synchronized (tally) {
            tally.ortChecked++;
        }
    }

    /** ONNX Runtime's execution of the network, written as ONNX, never lands in the unsafe set on the grid. */
    private static void assertOrtSafe(AdversarialNets.Case c, long seed, int perAxis) {
        int d = c.box().dimension();
        int total = d == 1 ? perAxis : perAxis * perAxis;
        float[][] xs = new float[total][d];
        for (int k = 0; k < total; k++) {
            int rest = k;
            for (int i = 0; i < d; i++) {
                double t = (rest % perAxis) / (double) Math.max(1, perAxis - 1);
                rest /= perAxis;
                xs[k][i] = Float32Oracle.inside(c.box().lo()[i] + t * (c.box().hi()[i] - c.box().lo()[i]), c.box(), i);
            }
        }
        for (boolean gemm : new boolean[] {false, true}) {
            byte[] onnx = OnnxModel.fromDense(c.net(), "input", "output", gemm, Map.of()).toBytes();
            float[][] ys;
            try {
                ys = TestData.ort(onnx, xs);
            } catch (Exception e) {
                throw new AssertionError("ONNX Runtime failed on seed " + seed, e);
            }
            assertNotNull(ys);
            for (int k = 0; k < total; k++) {
                assertTrue(!Float32Oracle.unsafe(c.property(), ys[k]), "seed " + seed + ": unsat, but ONNX Runtime ("
                        + (gemm ? "Gemm" : "MatMul+Add") + ") gives y = " + java.util.Arrays.toString(ys[k]) + " at x = "
                        + java.util.Arrays.toString(xs[k]));
            }
        }
    }

    /** Seeds for a reproducible bigger run. */
    static long[] seeds(long base, int n) {
        Random r = new Random(base);
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextLong();
        }
        return s;
    }
}
