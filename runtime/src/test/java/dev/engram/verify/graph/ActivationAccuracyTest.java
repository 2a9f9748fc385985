package dev.engram.verify.graph;

import dev.engram.model.ModelLimits;
import dev.engram.model.TestData;
import dev.engram.model.dag.OnnxGraphBuilder;
import dev.engram.model.exec.GraphExecutor;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error model's allowance for sigmoid and tanh ({@link SCurveBound}: {@code 2^-21|f| + 2^-21}) holds for ONNX
 * Runtime's implementations and for our executor on 200,000 arguments: a grid over [-40, 40] and random values at
 * scales 10^-3 .. 10^1, each compared with the exact function (double). Measured with ONNX Runtime 1.29 (2026-11-26):
 * sigmoid 1.4e-7 at most beyond {@code 2^-21|f|}, tanh 3.1e-7 absolute (and relative); the allowance is about 4x
 * the sigmoid's. A less accurate runtime would fail here before a bound could be wrong.
 */
class ActivationAccuracyTest {

    @Test
    void sigmoidAndTanhAreWithinTheModel() throws Exception {
        int n = 200_000;
        float[] in = new float[n];
        Random r = new Random(2);
        for (int i = 0; i < n; i++) {
            in[i] = (float) (i < n / 2 ? (i - n / 4) * (80.0 / n)
                    : (r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(5) - 3));
        }
        for (String op : new String[] {"Sigmoid", "Tanh"}) {
            OnnxGraphBuilder b = new OnnxGraphBuilder(13, new Random(1));
            b.output(b.node(op, b.input("x", 1, n)));
            float[] ort = TestData.ort(b.bytes(), new float[][] {in})[0];
            float[] ours = new GraphExecutor(OnnxModel.parse(b.bytes(), null, null, ModelLimits.defaults()).dag())
                    .run(in);
            double worst = 0;
            for (int i = 0; i < n; i++) {
                double z = in[i];
                double f = op.equals("Sigmoid") ? 1 / (1 + Math.exp(-z)) : Math.tanh(z);
                double allowed = SCurveBound.REL * Math.abs(f) + SCurveBound.ABS;
                for (float y : new float[] {ort[i], ours[i]}) {
                    double e = Math.abs(y - f);
                    worst = Math.max(worst, e / allowed);
                    assertTrue(e <= allowed, op + "(" + z + ") = " + y + ", exact " + f + ": error " + e
                            + " beyond the model's " + allowed);
                }
            }
            System.out.printf("[activation] %s: worst error %.3f of the allowance%n", op, worst);
        }
    }
}
