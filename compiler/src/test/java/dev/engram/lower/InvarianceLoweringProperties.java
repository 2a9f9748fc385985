package dev.engram.lower;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.validate.Independence;
import dev.engram.front.ProgramToIr;
import dev.engram.ir.Obligation;
import dev.engram.ir.Units;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * {@code ignore} on random networks: after the lowering the outputs are exactly the same whatever the ignored slots
 * hold, equal the original outputs (up to float rounding) when the slots hold their expected value, and nothing
 * outside the first layer's slot columns and bias changed. The proof accepts the lowered network (also as read back
 * from an ONNX file) and rejects the original one.
 */
class InvarianceLoweringProperties {

    static final Activation[] HIDDEN = {Activation.RELU, Activation.TANH, Activation.LEAKY_RELU, Activation.SIGMOID};

    static DenseNetwork net(Random r, int in) {
        int hidden = 1 + r.nextInt(3);
        Activation act = HIDDEN[r.nextInt(HIDDEN.length)];
        List<DenseLayer> layers = new ArrayList<>();
        int prev = in;
        for (int l = 0; l <= hidden; l++) {
            boolean last = l == hidden;
            int width = last ? 1 + r.nextInt(4) : 2 + r.nextInt(10);
            float[][] w = new float[width][prev];
            float[] b = new float[width];
            for (int o = 0; o < width; o++) {
                for (int i = 0; i < prev; i++) {
                    w[o][i] = (float) (r.nextGaussian() / Math.sqrt(prev));
                }
                b[o] = (float) (0.3 * r.nextGaussian());
            }
            layers.add(new DenseLayer("l" + l, w, b, last ? Activation.IDENTITY : act, 0.05, null, null));
            prev = width;
        }
        return new DenseNetwork(layers);
    }

    /** A random block of slots: a single (real) slot or a contiguous one-hot block. */
    static int[] block(Random r, int in) {
        int width = r.nextBoolean() ? 1 : 1 + r.nextInt(Math.min(in, 6));
        int start = r.nextInt(in - width + 1);
        int[] s = new int[width];
        for (int k = 0; k < width; k++) {
            s[k] = start + k;
        }
        return s;
    }

    static float[] sample(Random r, int in) {
        float[] x = new float[in];
        for (int i = 0; i < in; i++) {
            x[i] = (float) (2 * r.nextGaussian());
        }
        return x;
    }

    static boolean sameValues(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void outputsIgnoreTheSlotsExactlyAndMatchTheOriginalAtTheExpectedValue() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 1 + r.nextInt(12);
            DenseNetwork net = net(r, in);
            int[] slots = block(r, in);
            double[] expected = new double[slots.length];
            for (int k = 0; k < slots.length; k++) {
                expected[k] = slots.length > 1 ? r.nextDouble() : 3 * r.nextGaussian();
            }
            InvarianceLowering.Result res = InvarianceLowering.lower(net, slots, expected);
            DenseNetwork low = res.network();
            assertTrue(Independence.prove(low, slots).holds());

            for (int t = 0; t < 10; t++) {
                float[] x = sample(r, in);
                float[] base = low.evaluate(x);
                float[] flipped = x.clone();
                for (int s : slots) {
                    flipped[s] = (float) (r.nextBoolean() ? 1e3 * r.nextGaussian() : r.nextInt(2));
                }
                assertTrue(sameValues(base, low.evaluate(flipped)), "outputs changed with the ignored slots");

                float[] atExpected = x.clone();
                for (int k = 0; k < slots.length; k++) {
                    atExpected[slots[k]] = (float) expected[k];
                }
                float[] orig = net.evaluate(atExpected);
                float[] now = low.evaluate(atExpected);
                for (int j = 0; j < orig.length; j++) {
                    assertEquals(orig[j], now[j], 1e-4 * (1 + Math.abs(orig[j])), "output " + j + " at E[x_S]");
                }
            }
            float[][] samples = new float[5][];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = sample(r, in);
            }
            float[][] alts = new float[slots.length + 1][slots.length];
            for (int k = 0; k < slots.length; k++) {
                alts[k][k] = 1f;
                alts[slots.length][k] = -7.5f;
            }
            assertEquals(0.0, Independence.maxFlipChange(low, slots, samples, alts));

            // nothing else changed: other columns of the first layer, every later layer
            DenseLayer f0 = net.layers().get(0);
            DenseLayer f1 = low.layers().get(0);
            for (int o = 0; o < f0.outputSize(); o++) {
                for (int i = 0; i < in; i++) {
                    boolean ignored = false;
                    for (int s : slots) {
                        ignored |= s == i;
                    }
                    if (ignored) {
                        assertEquals(0f, f1.weight()[o][i]);
                    } else {
                        assertEquals(Float.floatToRawIntBits(f0.weight()[o][i]), Float.floatToRawIntBits(f1.weight()[o][i]));
                    }
                }
            }
            for (int l = 1; l < net.layers().size(); l++) {
                assertSame(net.layers().get(l), low.layers().get(l));
            }
            int nonZero = 0;
            for (int o = 0; o < f0.outputSize(); o++) {
                for (int s : slots) {
                    nonZero += f0.weight()[o][s] != 0f ? 1 : 0;
                }
            }
            Independence.Proof before = Independence.prove(net, slots);
            assertEquals(nonZero, before.nonZero());
            assertEquals(nonZero == 0, before.holds(), "the proof rejects the original network");
            assertEquals(nonZero, res.touched().stream().filter(t -> t.part() == TouchedTensor.Part.WEIGHT)
                    .mapToInt(TouchedTensor::changed).sum());
        });
    }

    @Test
    void theOriginalDependsOnTheSlotsAndTheFlipCheckSeesIt() {
        int[] moved = new int[1];
        qt().withExamples(50).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 2 + r.nextInt(8);
            DenseNetwork net = net(r, in);
            int[] slots = block(r, in);
            float[][] samples = {sample(r, in), sample(r, in), sample(r, in)};
            float[][] alts = new float[2][slots.length];
            for (int k = 0; k < slots.length; k++) {
                alts[0][k] = -50f;
                alts[1][k] = 50f;
            }
            assertFalse(Independence.prove(net, slots).holds());
            // flipping by 100 units through Gaussian weights: outputs move unless every path saturates
            double orig = Independence.maxFlipChange(net, slots, samples, alts);
            double low = Independence.maxFlipChange(InvarianceLowering.lower(net, slots,
                    new double[slots.length]).network(), slots, samples, alts);
            assertEquals(0.0, low);
            if (orig > 0) {
                moved[0]++;
            }
        });
        // a ±50 flip through Gaussian weights moves the original outputs unless every path saturates
        assertTrue(moved[0] >= 40, "the flip check saw a change on only " + moved[0] + " of 50 original networks");
    }

    @Test
    void theProofHoldsOnTheWrittenAndReloadedOnnxFile(@TempDir Path tmp) {
        qt().withExamples(20).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int in = 2 + r.nextInt(10);
            DenseNetwork net = net(r, in);
            int[] slots = block(r, in);
            DenseNetwork low = InvarianceLowering.lower(net, slots, new double[slots.length]).network();
            Path file = tmp.resolve("m" + Long.toHexString(seed) + ".onnx");
            OnnxModel.fromDense(low, "input", "output", r.nextBoolean(), null).write(file);
            assertTrue(Independence.proveFile(file, slots).holds());
            Path orig = tmp.resolve("o" + Long.toHexString(seed) + ".onnx");
            OnnxModel.fromDense(net, "input", "output", false, null).write(orig);
            assertFalse(Independence.proveFile(orig, slots).holds());
        });
    }

    @Test
    void expectedValuesFromTheDeclaredDomainAndFromData() {
        String src = """
                input age at 0 in [20, 60] years
                normalize age mean 40 range 20
                input sex at 1 one of {female, male, other}
                output yes at 0
                output no at 1
                decide argmax
                ignore sex
                ignore age
                """;
        Diagnosed<CheckedProgram> cr = Checker.check(new SourceFile("t.engram", src), CheckOptions.none());
        assertFalse(cr.hasErrors(), cr.diagnostics().toString());
        CheckedProgram p = cr.value().orElseThrow();
        Units.Input age = ProgramToIr.input(p.inputs().get(0));
        Units.Input sex = ProgramToIr.input(p.inputs().get(1));
        assertArrayEquals(new double[] {0.0}, age.expected(), 1e-12);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, sex.expected(), 1e-12);
        assertArrayEquals(new int[] {1, 2, 3}, ProgramToIr.invariance(p, p.invariances().get(0)).slots());
        assertArrayEquals(new int[] {0}, ProgramToIr.invariance(p, p.invariances().get(1)).slots());
        float[][] data = {{0.5f, 1, 0, 0}, {-0.5f, 0, 1, 0}, {1f, 0, 1, 0}, {0f, 0, 1, 0}};
        assertArrayEquals(new double[] {0.25, 0.75, 0}, InvarianceLowering.expectedFromData(data, new int[] {1, 2, 3}), 1e-12);

        DenseNetwork net = net(new Random(5), 4);
        InvarianceLowering.Result res = InvarianceLowering.lower(net, sex, data);
        assertArrayEquals(new double[] {0.25, 0.75, 0}, res.expected(), 1e-12);
        float[][] alts = Independence.alternatives(sex);
        assertEquals(4, alts.length);
        assertEquals(0.0, Independence.maxFlipChange(res.network(), res.slots(), data, alts));
        float[][] ageAlts = Independence.alternatives(age);
        assertArrayEquals(new float[] {-1f}, ageAlts[0]);
        assertArrayEquals(new float[] {1f}, ageAlts[2]);
        Obligation.Invariance inv = ProgramToIr.invariance(p, p.invariances().get(0));
        InvarianceLowering.Result viaStatement = InvarianceLowering.lower(net, inv.slots(), inv.expected());
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, viaStatement.expected(), 1e-12);
        assertArrayEquals(new int[] {1, 2, 3}, viaStatement.slots());
        DenseNetwork both = InvarianceLowering.lower(res.network(), age).network();
        assertTrue(Independence.prove(both, new int[] {0, 1, 2, 3}).holds());
    }
}
