package dev.engram.model.exec;

import dev.engram.model.Activation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.TestData;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
