package dev.engram.model.exec;

import dev.engram.model.Activation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.TestData;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both executor kernels equal the reference evaluation bit for bit; taps are consistent with the outputs. */
class DenseExecutorTest {

    @Test
    void kernelsEqualReferenceEvaluation() {
        assertTrue(DenseExecutor.vectorized(), "tests run with --add-modules jdk.incubator.vector");
        Random rnd = new Random(11);
        for (Activation a : Activation.values()) {
            DenseNetwork net = TestData.randomMlp(rnd, new int[] {7, 33, 65, 4}, a);
            float[][] x = TestData.randomInputs(rnd, 64 * 3 + 13, 7, 2f);
            float[][] v = new DenseExecutor(net, true).run(x);
            float[][] s = new DenseExecutor(net, false).run(x);
            for (int r = 0; r < x.length; r++) {
                float[] ref = net.evaluate(x[r]);
                assertArrayEquals(ref, v[r], 0f);
                assertArrayEquals(ref, s[r], 0f);
            }
        }
    }

    @Test
    void threadsSplitTilesWithoutChangingResults() {
        Random rnd = new Random(12);
        DenseNetwork net = TestData.randomMlp(rnd, new int[] {5, 50, 50, 5}, Activation.RELU);
        for (int batch : new int[] {1, 63, 64, 65, 64 * 5 + 1}) {
            float[] x = new float[batch * 5];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat() * 4f - 2f;
            }
            float[] one = new DenseExecutor(net).run(x, batch, 1);
            for (int threads = 2; threads <= 4; threads++) {
                assertArrayEquals(one, new DenseExecutor(net).run(x, batch, threads), 0f, batch + " x " + threads);
            }
            for (int s = 0; s < batch; s++) {
                float[] ref = net.evaluate(java.util.Arrays.copyOfRange(x, s * 5, s * 5 + 5));
                for (int o = 0; o < 5; o++) {
                    assertEquals(Float.floatToRawIntBits(ref[o]), Float.floatToRawIntBits(one[s * 5 + o]));
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new DenseExecutor(net).run(new float[5], 1, 0));
    }

    @Test
    void nonFiniteAndSignedZeroValuesMatchReferenceBits() {
        Random rnd = new Random(13);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.MIN_VALUE};
        for (Activation a : Activation.values()) {
            DenseNetwork net = TestData.randomMlp(rnd, new int[] {3, 9, 6}, a);
            float[][] x = new float[200][3];
            for (float[] row : x) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = rnd.nextInt(3) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextFloat() - 0.5f;
                }
            }
            x[0] = new float[] {0f, 0f, 0f}; // sums of zeros: bias alone decides the sign
            for (boolean vector : new boolean[] {true, false}) {
                float[][] y = new DenseExecutor(net, vector).run(x);
                for (int r = 0; r < x.length; r++) {
                    float[] ref = net.evaluate(x[r]);
                    for (int o = 0; o < ref.length; o++) {
                        assertEquals(Float.floatToRawIntBits(ref[o]), Float.floatToRawIntBits(y[r][o]),
                                a + " vector=" + vector + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void tapsExposeEveryLayer() {
        DenseNetwork net = TestData.randomMlp(new Random(2), new int[] {3, 6, 5, 2}, Activation.RELU);
        float[] x = {0.5f, -1f, 2f};
        DenseExecutor.Taps t = new DenseExecutor(net).runWithTaps(x);
        assertEquals(3, t.pre().size());
        assertEquals(6, t.post().get(0).length);
        for (int o = 0; o < 6; o++) {
            assertEquals(Math.max(0f, t.pre().get(0)[o]), t.post().get(0)[o]);
        }
        assertArrayEquals(net.evaluate(x), t.output(), 0f);
    }
}
