package dev.engram.lower;

import dev.engram.Decisions;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.Box;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard on a network with no hidden layer (one affine layer, inputs of either sign), by default: a signed identity
 * {@code [I, -I] (relu(x), relu(−x))} is put in front ({@link GuardLowering#withSignedIdentityInFront}). Checked by
 * ONNX Runtime on the file as written (and, at 7 and 40 inputs, proved on it as read back by the compiler): the rule
 * holds on samples of its region (corners included), and outside the dilated box the outputs are bit-identical to the
 * original's (up to the sign of a zero), at random points, points a few ulps outside the faces, and large inputs, at
 * widths within and past one block of ONNX Runtime's GEMM. The units added are counted: {@code 2n} ramps, the
 * conjunction and its carry through the linear layer, the {@code 2n + n} units of the signed identity and the
 * {@code 2n} identity units the conjunction needs.
 */
class SignedIdentityTest {

    /** A rule "never class k" on a box of half-width 0.05 around a random centre, k the class decided there. */
    private record Case(Path dir, DenseNetwork net, byte[] before, float[] centre, Box region, int k,
                        Obligation.Enforce rule) {
        static Case of(int n, Random rnd) throws Exception {
            Path dir = Files.createTempDirectory("signed-identity");
            DenseNetwork net = DenseNetworks.random(rnd, "fc", 0.1, n, GuardBitIdentityTest.OUT);
            Path model = dir.resolve("linear.onnx");
            OnnxModel.fromDense(net, "x", "y", false, Map.of()).write(model);
            double[] lo = new double[n];
            double[] hi = new double[n];
            float[] centre = new float[n];
            for (int i = 0; i < n; i++) {
                centre[i] = (float) (2 * rnd.nextDouble() - 1);
                lo[i] = centre[i] - 0.05;
                hi[i] = centre[i] + 0.05;
            }
            byte[] before = Files.readAllBytes(model);
            int k = HeadGuardTest.argmax(GuardBitIdentityTest.ort(before, new float[][] {centre})[0]);
            Box region = new Box(lo, hi);
            Obligation.Enforce rule = new Obligation.Enforce("never_k", dev.engram.source.Span.NONE,
                    Obligation.property("never_k", region, Decisions.argmax(k, GuardBitIdentityTest.OUT)),
                    Obligation.Strategy.AUTO, Obligation.dilation(region, 0.05));
            return new Case(dir, net, before, centre, region, k, rule);
        }

        Path model() {
            return dir.resolve("linear.onnx");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 40})
    void aLinearModelIsGuardedByDefaultProvedOnTheFileAndKeepsItsBitsOutsideTheDilatedBox(int n) throws Exception {
        Random rnd = new Random(n);
        Case c = Case.of(n, rnd);
        Path out = c.dir().resolve("guarded.onnx");
        double[] mone = new double[n];
        java.util.Arrays.fill(mone, -4);
        double[] four = new double[n];
        java.util.Arrays.fill(four, 4);
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(c.model())
                .setObligations(List.of(c.rule())).optDomain(new Box(mone, four)).optDecision(Decision.ARGMAX)
                .optFidelitySamples(200).optTimeout(120).optOut(out).build());
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        assertEquals("guard", r.rules().get(0).strategy(), r.rules().get(0).toString());
        assertEquals(2 * n + 2 + 5 * n, r.rules().get(0).unitsAdded(),
                "ramps, conjunction and its carry, signed identity (2n + n), identity layer (2n)");
        checkWritten(c, Files.readAllBytes(out), rnd);
    }

    /**
     * The guard at the widths past one block of ONNX Runtime's GEMM (300; 1152, the width of VNN-COMP's verivital
     * features), lowered and written by the model writer: the same checks under ONNX Runtime, without the proof (the
     * verifier does not prove these 2,000 to 8,000 added units within a unit test's time).
     */
    @ParameterizedTest
    @ValueSource(ints = {300, 1152})
    void aWideLinearModelsGuardKeepsItsBitsOutsideTheDilatedBox(int n) throws Exception {
        Random rnd = new Random(n);
        Case c = Case.of(n, rnd);
        GuardLowering.Result g = GuardLowering.lower(c.net(), c.rule());
        assertEquals(2 * n + 2 + 5 * n, g.unitsAdded());
        byte[] after = OnnxModel.fromDense(c.net(), "x", "y", false, Map.of()).withDense(g.network()).toBytes();
        checkWritten(c, after, rnd);
    }

    /**
     * Under ONNX Runtime on {@code after}: class k is never decided on 300 samples of the region (corners included);
     * outside the dilated box (random points, huge inputs, points a few ulps outside the faces) every output has the
     * original's bits, up to the sign of a zero.
     */
    private static void checkWritten(Case c, byte[] after, Random rnd) throws Exception {
        int n = c.centre().length;
        float[][] inside = HeadGuardTest.samples(c.region(), rnd, 300, true).toArray(new float[0][]);
        float[][] y = GuardBitIdentityTest.ort(after, inside);
        for (int s = 0; s < inside.length; s++) {
            assertTrue(HeadGuardTest.argmax(y[s]) != c.k(), "class " + c.k() + " decided inside the region at sample "
                    + s);
        }
        Box dilated = c.rule().dilatedBox();
        List<float[]> pts = new java.util.ArrayList<>();
        for (int s = 0; s < 400; s++) {
            float[] p = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = (float) (s % 4 == 0 ? 1e6 * rnd.nextGaussian() : 4 * (2 * rnd.nextDouble() - 1));
            }
            pts.add(p);
        }
        for (int i = 0; i < Math.min(n, 20); i++) {
            float[] p = c.centre().clone();
            float v = (float) dilated.hi()[i];
            for (int u = 0; u < 3; u++) {
                v = Math.nextUp(v);
            }
            p[i] = v;
            pts.add(p);
        }
        pts.removeIf(p -> GuardBitIdentityTest.inside(p, dilated));
        float[][] x = pts.toArray(new float[0][]);
        float[][] ya = GuardBitIdentityTest.ort(c.before(), x);
        float[][] yb = GuardBitIdentityTest.ort(after, x);
        int differ = 0;
        for (int s = 0; s < x.length; s++) {
            for (int j = 0; j < ya[s].length; j++) {
                differ += GuardBitIdentityTest.sameUpToZeroSign(ya[s][j], yb[s][j]) ? 0 : 1;
            }
        }
        System.out.printf("guard with a signed identity, n = %d: %d of %d outputs outside the dilated box differ from"
                + " the original's bits under ONNX Runtime%n", n, differ, x.length * ya[0].length);
        assertEquals(0, differ, "n = " + n + ": outputs outside the dilated box that differ from the original's");
    }

    /**
     * The signed identity alone, written by the model writer into the original ONNX file (new nodes, every existing
     * one kept), against the original under ONNX Runtime at random inputs of either sign and any magnitude: bit for
     * bit (up to the sign of a zero) at every width, also past one block of ONNX Runtime's GEMM (300, 1152: the width
     * of VNN-COMP's verivital features), since the original layer sums the same terms over the same width and each
     * signed unit's sum has one non-zero term.
     */
    @ParameterizedTest
    @ValueSource(ints = {7, 40, 300, 1152})
    void theSignedIdentityIsExactUnderOnnxRuntimeAtEveryWidth(int n) throws Exception {
        Random rnd = new Random(100 + n);
        Path dir = Files.createTempDirectory("signed-identity-alone");
        DenseNetwork net = DenseNetworks.random(rnd, "fc", 0.1, n, 10);
        DenseNetwork signed = GuardLowering.withSignedIdentityInFront(net);
        assertEquals(3, signed.layers().size());
        assertEquals(3 * n, GuardLowering.insertedUnits(signed));
        assertTrue(signed.layers().get(2) == net.layers().get(0), "the first layer is kept as it is");
        Path a = dir.resolve("a.onnx");
        Path b = dir.resolve("b.onnx");
        OnnxModel original = OnnxModel.fromDense(net, "x", "y", false, Map.of());
        original.write(a);
        original.withDense(signed).write(b);
        float[][] x = new float[200][n];
        for (float[] row : x) {
            double scale = Math.pow(10, rnd.nextInt(9) - 4);
            for (int i = 0; i < n; i++) {
                row[i] = (float) (scale * rnd.nextGaussian());
            }
        }
        float[][] ya = GuardBitIdentityTest.ort(Files.readAllBytes(a), x);
        float[][] yb = GuardBitIdentityTest.ort(Files.readAllBytes(b), x);
        int differ = 0;
        for (int s = 0; s < x.length; s++) {
            for (int j = 0; j < ya[s].length; j++) {
                differ += GuardBitIdentityTest.sameUpToZeroSign(ya[s][j], yb[s][j]) ? 0 : 1;
            }
        }
        System.out.printf("signed identity, n = %d: %d of %d outputs differ from the original's bits under ONNX"
                + " Runtime%n", n, differ, x.length * 10);
        assertEquals(0, differ, "n = " + n + ": outputs that differ from the original's bits");
    }
}
