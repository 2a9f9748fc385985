package dev.engram.model.onnx;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.ModelException;
import dev.engram.model.Models;
import dev.engram.model.TestData;
import dev.engram.model.exec.DenseExecutor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Random MLPs written as ONNX (MatMul and Gemm forms, all activations), vnncomp-test networks, widening. */
class OnnxOpsTest {

    @Test
    void randomMlpsMatchOnnxRuntime() throws Exception {
        Random rnd = new Random(1);
        double worst = 0;
        Activation[] acts = {Activation.RELU, Activation.SIGMOID, Activation.TANH, Activation.LEAKY_RELU};
        for (int k = 0; k < 16; k++) {
            int depth = 2 + rnd.nextInt(3);
            int[] widths = new int[depth + 1];
            for (int i = 0; i <= depth; i++) {
                widths[i] = 1 + rnd.nextInt(40);
            }
            DenseNetwork net = TestData.randomMlp(rnd, widths, acts[k % acts.length]);
            boolean gemm = k % 2 == 0;
            OnnxModel m = OnnxModel.fromDense(net, "x", "y", gemm, Map.of());
            OnnxModel re = OnnxModel.parse(m.toBytes(), null, null, dev.engram.model.ModelLimits.defaults());
            DenseNetwork back = re.dense();
            float[][] x = TestData.randomInputs(rnd, 100, widths[0], 3f);
            float[][] ours = new DenseExecutor(back).run(x);
            float[][] ort = TestData.ort(m.toBytes(), x);
            worst = Math.max(worst, TestData.maxAbsDiff(ours, ort));
            for (int l = 0; l < depth; l++) {
                assertArrayEquals(net.layers().get(l).bias(), back.layers().get(l).bias());
                assertEquals(net.layers().get(l).activation(), back.layers().get(l).activation());
            }
        }
        System.out.println("[random-mlp] executor vs ORT, 16 MLPs x 100 inputs: max |diff| = " + worst);
        assertTrue(worst < 1e-4, "max diff " + worst);
    }

    @Test
    void vnncompTestNetworksMatchOnnxRuntime() throws Exception {
        Path dir = TestData.shared().resolve("vnncomp-test");
        assumeTrue(Files.isDirectory(dir), "vnncomp-test not found under " + TestData.shared());
        double worst = 0;
        int count = 0;
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".onnx")).sorted().toList()) {
                OnnxModel m = OnnxModel.read(p);
                DenseNetwork net = m.dense();
                float[][] x = TestData.randomInputs(new Random(3), 50, net.inputSize(), 1f);
                double d = TestData.maxAbsDiff(new DenseExecutor(net).run(x), TestData.ort(Files.readAllBytes(p), x));
                System.out.println("[vnncomp-test] " + p.getFileName() + ": " + net.layers().size() + " layers, max |diff| = " + d);
                worst = Math.max(worst, d);
                count++;
            }
        }
        assertTrue(count >= 4);
        assertTrue(worst < 1e-4);
    }

    @Test
    void widenedHiddenLayersWriteBackAndRunInOrt() throws Exception {
        TestData.assumeAcas();
        OnnxModel m = OnnxModel.read(TestData.acasOnnx(2, 3));
        DenseNetwork net = m.dense();
        // add 3 dead units to layer 2 (zero outgoing weights): outputs must not change
        List<DenseLayer> ls = new ArrayList<>(net.layers());
        DenseLayer a = ls.get(2);
        DenseLayer b = ls.get(3);
        int extra = 3;
        float[][] wa = new float[a.outputSize() + extra][];
        float[] ba = new float[a.outputSize() + extra];
        for (int o = 0; o < wa.length; o++) {
            wa[o] = o < a.outputSize() ? a.weight()[o] : new float[a.inputSize()];
            ba[o] = o < a.outputSize() ? a.bias()[o] : 1f;
            if (o >= a.outputSize()) {
                java.util.Arrays.fill(wa[o], 0.25f);
            }
        }
        float[][] wb = new float[b.outputSize()][a.outputSize() + extra];
        for (int o = 0; o < wb.length; o++) {
            System.arraycopy(b.weight()[o], 0, wb[o], 0, a.outputSize());
        }
        ls.set(2, new DenseLayer(a.name(), wa, ba, a.activation(), a.alpha(), a.weightRef(), a.biasRef()));
        ls.set(3, new DenseLayer(b.name(), wb, b.bias(), b.activation(), b.alpha(), b.weightRef(), b.biasRef()));
        DenseNetwork wide = new DenseNetwork(ls);
        OnnxModel w = m.withDense(wide);
        assertEquals(53, w.dense().layers().get(2).outputSize());
        float[][] x = TestData.randomInputs(new Random(5), 100, 5, 0.5f);
        float[][] ortWide = TestData.ort(w.toBytes(), x);
        float[][] ortOrig = TestData.ort(Files.readAllBytes(TestData.acasOnnx(2, 3)), x);
        assertTrue(TestData.maxAbsDiff(ortWide, ortOrig) < 1e-4);
        assertTrue(TestData.maxAbsDiff(new DenseExecutor(w.dense()).run(x), ortWide) < 1e-4);
        // unchanged values written back bit-identically
        assertEquals(m.rawInitializer(ls.get(5).weightRef().tensorName()),
                w.rawInitializer(ls.get(5).weightRef().tensorName()));
    }

    @Test
    void withInitializerChangesValuesAndShapes() throws Exception {
        DenseNetwork net = TestData.randomMlp(new Random(9), new int[] {3, 4, 2}, Activation.RELU);
        OnnxModel m = OnnxModel.fromDense(net, "x", "y", false, Map.of());
        FloatTensor w0 = m.initializer("layer0.weight");
        assertArrayEquals(new long[] {3, 4}, w0.dims());
        float[] nw = new float[3 * 4];
        nw[5] = 2f;
        OnnxModel m2 = m.withInitializer("layer0.weight", nw, new long[] {3, 4});
        assertEquals(2f, m2.dense().layers().get(0).weight()[1][1]);
        assertThrows(ModelException.class, () -> m.withInitializer("nope", nw, new long[] {12}));
        assertTrue(m.sha256().length() == 64 && !m.sha256().equals(m2.sha256()));
        Path tmp = Files.createTempDirectory("wi").resolve("m.onnx");
        m2.write(tmp);
        assertEquals(2f, Models.readDense(tmp).layers().get(0).weight()[1][1]);
    }
}
