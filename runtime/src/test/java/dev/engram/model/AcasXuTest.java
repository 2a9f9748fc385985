package dev.engram.model;

import dev.engram.model.exec.DenseExecutor;
import dev.engram.model.nnet.NnetModel;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Bounds;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** All 45 ACAS Xu networks: reading, executor vs ONNX Runtime, NNet agreement, conversions, round trip. */
class AcasXuTest {

    private static final int N = 200;

    /**
     * Our executor and ONNX Runtime are two float32 executions of the same network in different summation orders:
     * both must lie inside the verifier's float32 error bounds at every input (interval bounds of the point box,
     * {@code docs/verifier.md}), so they differ by at most those bounds' width. Measured: max |diff| 1.14e-5, widths
     * up to 8.5e-3.
     */
    @Test
    void executorMatchesOnnxRuntimeOnAll45() throws Exception {
        TestData.assumeAcas();
        double worst = 0;
        double widest = 0;
        Random rnd = new Random(42);
        for (int[] id : TestData.acasIds()) {
            OnnxModel m = OnnxModel.read(TestData.acasOnnx(id[0], id[1]));
            DenseNetwork net = m.dense();
            assertEquals(7, net.layers().size());
            assertEquals(5, net.inputSize());
            assertEquals(5, net.outputSize());
            float[][] x = TestData.randomInputs(rnd, N, 5, 0.5f);
            float[][] ours = new DenseExecutor(net).run(x);
            float[][] ort = TestData.ort(Files.readAllBytes(TestData.acasOnnx(id[0], id[1])), x);
            worst = Math.max(worst, TestData.maxAbsDiff(ours, ort));
            widest = Math.max(widest, insideErrorBounds(net, x, ours, "executor"));
            insideErrorBounds(net, x, ort, "ORT");
            for (int r = 0; r < 5; r++) {
                assertArrayEquals(net.evaluate(x[r]), ours[r], 0f, "executor equals reference evaluation");
            }
        }
        System.out.println("[acasxu] executor vs ORT, 45 networks x " + N + " inputs: max |diff| = " + worst
                + "; both inside the float32 error bounds (widest " + widest + ")");
        assertTrue(worst <= widest, "max diff " + worst);
    }

    /**
     * Asserts that every output {@code y[r]} lies inside the verifier's float32 error bounds of the network at the
     * point {@code x[r]} (the interval of every float32 execution of it, in any summation order); the widest bound.
     */
    static double insideErrorBounds(DenseNetwork net, float[][] x, float[][] y, String who) {
        double widest = 0;
        for (int r = 0; r < x.length; r++) {
            double[] xd = new double[x[r].length];
            for (int i = 0; i < xd.length; i++) {
                xd[i] = x[r][i];
            }
            Box out = Bounds.linear(net, new Box(xd, xd)).output();
            for (int j = 0; j < y[r].length; j++) {
                widest = Math.max(widest, out.hi()[j] - out.lo()[j]);
                assertTrue(y[r][j] >= out.lo()[j] && y[r][j] <= out.hi()[j], who + " outside the float32 error bounds "
                        + "at input " + r + ", output " + j + ": " + y[r][j] + " not in [" + out.lo()[j] + ", "
                        + out.hi()[j] + "]");
            }
        }
        return widest;
    }

    /**
     * NNet and ONNX files of one network, and each converted into the other, are float32 executions of the same
     * network: every output lies inside its float32 error bounds (no fixed tolerance).
     */
    @Test
    void nnetAgreesWithOnnxAndConversionsMatchOrt() throws Exception {
        TestData.assumeAcas();
        double worstNnetToOnnx = 0;
        double worstOnnxToNnet = 0;
        Random rnd = new Random(7);
        Path tmp = Files.createTempDirectory("acas-conv");
        for (int[] id : TestData.acasIds()) {
            byte[] orig = Files.readAllBytes(TestData.acasOnnx(id[0], id[1]));
            NnetModel nnet = NnetModel.read(TestData.acasNnet(id[0], id[1]));
            assertEquals(19791.091, nnet.means()[0], 1e-3);
            float[][] x = TestData.randomInputs(rnd, N, 5, 0.5f);
            float[][] ortOrig = TestData.ort(orig, x);
            // NNet -> ONNX, run the converted model in ORT
            LoadedModel asOnnx = Models.convert(nnet, ModelFormat.ONNX);
            Path p = tmp.resolve("n" + id[0] + id[1] + ".onnx");
            asOnnx.write(p);
            float[][] ortConv = TestData.ort(Files.readAllBytes(p), x);
            worstNnetToOnnx = Math.max(worstNnetToOnnx, TestData.maxAbsDiff(ortConv, ortOrig));
            DenseNetwork net = OnnxModel.read(TestData.acasOnnx(id[0], id[1])).dense();
            insideErrorBounds(net, x, ortOrig, "ORT on the original");
            insideErrorBounds(net, x, ortConv, "ORT on the NNet converted to ONNX");
            // ... and back to NNet keeps the metadata
            NnetModel back = (NnetModel) Models.convert(Models.load(p), ModelFormat.NNET);
            assertArrayEquals(nnet.ranges(), back.ranges());
            // ONNX -> NNet, run the NNet with our executor
            Path q = tmp.resolve("o" + id[0] + id[1] + ".nnet");
            Models.convert(OnnxModel.read(TestData.acasOnnx(id[0], id[1])), ModelFormat.NNET).write(q);
            float[][] nn = new DenseExecutor(Models.readDense(q)).run(x);
            worstOnnxToNnet = Math.max(worstOnnxToNnet, TestData.maxAbsDiff(nn, ortOrig));
            insideErrorBounds(net, x, nn, "the executor on the ONNX converted to NNet");
        }
        System.out.println("[acasxu] NNet->ONNX (ORT) vs ORT original: max |diff| = " + worstNnetToOnnx);
        System.out.println("[acasxu] ONNX->NNet (executor) vs ORT original: max |diff| = " + worstOnnxToNnet);
    }

    @Test
    void roundTripKeepsEveryInitializerBitIdentical() throws Exception {
        TestData.assumeAcas();
        Path tmp = Files.createTempDirectory("acas-rt");
        int identicalFiles = 0;
        for (int[] id : TestData.acasIds()) {
            Path src = TestData.acasOnnx(id[0], id[1]);
            byte[] orig = Files.readAllBytes(src);
            OnnxModel m = OnnxModel.read(src);
            Path out = tmp.resolve("rt.onnx");
            m.write(out);
            byte[] written = Files.readAllBytes(out);
            if (java.util.Arrays.equals(orig, written)) {
                identicalFiles++;
            }
            OnnxModel back = OnnxModel.read(out);
            assertEquals(m.proto().getGraph().getInitializerCount(), back.proto().getGraph().getInitializerCount());
            for (TensorProto t : m.proto().getGraph().getInitializerList()) {
                assertEquals(t.getRawData(), back.rawInitializer(t.getName()), t.getName());
            }
            assertEquals(m.proto(), back.proto());
            // valid for ORT and same outputs
            float[][] x = TestData.randomInputs(new Random(id[0] * 10 + id[1]), 20, 5, 0.5f);
            assertEquals(0.0, TestData.maxAbsDiff(TestData.ort(orig, x), TestData.ort(written, x)));
        }
        System.out.println("[acasxu] round trip: 45/45 initializers bit-identical; byte-identical files: "
                + identicalFiles + "/45");
    }
}
